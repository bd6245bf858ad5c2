/**
 * How a PEP authenticates to the AuthZEN endpoints (the route wrapper's `auth: "pep"`): a Bearer PEP
 * key (401 with WWW-Authenticate otherwise), and the store the key is bound to — a store-scoped path
 * (`/stores/:store/…`) must name the same store, else 403.
 */
import type { IncomingMessage } from "node:http";
import { forbidden, unauthorized } from "../errors.ts";
import { bearer } from "../http/bearer.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Caller } from "./audit.ts";
import type { StoreInfo } from "./stores.ts";

export const AUTHZEN_REALM = "mandate-authzen";

/** The authenticated PEP of a request and the policy store it decides in. */
export interface PepRequest {
  store: StoreInfo;
  caller: Caller;
}

const FAILURES: Record<string, string> = {
  missing: "missing bearer token (a PEP key, mnd_pep_...)",
  malformed: "malformed credential: AuthZEN endpoints take a PEP key (mnd_pep_...)",
  unknown: "unknown PEP key",
  revoked: "PEP key revoked",
  expired: "PEP key expired",
};

export async function authenticatePep(rt: Runtime, req: IncomingMessage, requestId: string, storeParam: string | null): Promise<PepRequest> {
  const st = rt.authzen;
  const token = bearer(req);
  const r = await st.peps.authenticate(token, req);
  if (!r.ok) throw unauthorized(token === "" ? "malformed Authorization header" : FAILURES[r.failure], AUTHZEN_REALM);
  if (storeParam !== null && storeParam !== r.pep.storeId) throw forbidden(`this PEP key is bound to policy store ${r.pep.storeId}, not ${storeParam}`);
  const store = await st.stores.get(r.pep.storeId);
  if (!store) throw unauthorized(FAILURES.unknown, AUTHZEN_REALM);
  return { store, caller: { pep: r.pep, requestId } };
}
