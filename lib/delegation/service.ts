/**
 * Installs delegation verification and receipts into the runtime (server/plugins.ts), and keeps the
 * node's delegation parts (signing keys, revocation cache) where the routes find them. Like the
 * runtime, they live on globalThis so that every bundle of the process shares one instance.
 */
import type { Runtime } from "../runtime/runtime.ts";
import { JwtReceiptSigner } from "./receipts.ts";
import { RevocationCache } from "./revocation-cache.ts";
import { SigningKeyStore } from "./signing-keys.ts";
import { SubjectStatusCache } from "./subject-status.ts";
import { TokenVerifier } from "./verifier.ts";

export interface DelegationService {
  keys: SigningKeyStore;
  revocations: RevocationCache;
  subjects: SubjectStatusCache;
}

type G = { __mandateDelegation?: DelegationService };

export function delegationService(): DelegationService {
  const s = (globalThis as G).__mandateDelegation;
  if (!s) throw new Error("delegation service not installed (server/plugins.ts)");
  return s;
}

export async function installDelegation(rt: Runtime): Promise<DelegationService> {
  const existing = (globalThis as G).__mandateDelegation;
  if (existing) return existing;
  const svc: DelegationService = { keys: new SigningKeyStore(), revocations: new RevocationCache(), subjects: new SubjectStatusCache() };
  await svc.keys.load();
  await svc.keys.current(); // fail at start-up, not on the first allow, when the master key differs
  const verifier = new TokenVerifier(svc);
  rt.delegation = verifier; // the runtime forwards every change-feed event to verifier.invalidate
  rt.receipts = new JwtReceiptSigner(svc.keys);
  rt.changes.onReset(() => verifier.clear());
  (globalThis as G).__mandateDelegation = svc;
  return svc;
}
