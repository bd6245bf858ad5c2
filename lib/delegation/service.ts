/**
 * The node's delegation parts (`rt.delegation`, built by the composition root lib/runtime/start.ts):
 * the signing keys, the revocation and subject caches, and the verifier the decision path uses.
 */
import { RevocationCache } from "./revocation-cache.ts";
import { SigningKeyStore } from "./signing-keys.ts";
import { SubjectStatusCache } from "./subject-status.ts";
import { TokenVerifier } from "./verifier.ts";

export interface DelegationService {
  keys: SigningKeyStore;
  revocations: RevocationCache;
  subjects: SubjectStatusCache;
}

export interface Delegation extends DelegationService {
  /** Verifies a delegation token presented with a decision; its caches follow the change feed. */
  verifier: TokenVerifier;
}

/** Loads the signing keys: fails at start-up, not on the first allow, when the master key differs. */
export async function startDelegation(): Promise<Delegation> {
  const svc: DelegationService = { keys: new SigningKeyStore(), revocations: new RevocationCache(), subjects: new SubjectStatusCache() };
  await svc.keys.load();
  await svc.keys.current();
  return { ...svc, verifier: new TokenVerifier(svc) };
}
