/**
 * The AuthZEN endpoints behind lib/http/routes/authzen.ts: PEP authentication (Bearer PEP key; 401
 * with WWW-Authenticate otherwise), the store the key is bound to (a store-scoped path must name the
 * same store, else 403), body parsing, and the PDP metadata with the spec's base-path rule: the PDP of
 * store S is `<public url>/stores/S`, its metadata at `/.well-known/authzen-configuration/stores/S`.
 */
import type { IncomingMessage } from "node:http";
import type { Runtime } from "../runtime/runtime.ts";
import { forbidden, notFound, unauthorized } from "../errors.ts";
import { MCP_STORE_ID } from "../policy/publish.ts";
import type { Caller } from "./audit.ts";
import { evaluateBatch, evaluateSingle } from "./evaluate.ts";
import { parseBatch, parseEvaluation, readJsonObject } from "./request.ts";
import { search, type SearchKind } from "./search.ts";
import { authzenState } from "./state.ts";
import type { StoreInfo } from "./stores.ts";

export const AUTHZEN_REALM = "mandate-authzen";

const FAILURES: Record<string, string> = {
  missing: "missing bearer token (a PEP key, mnd_pep_...)",
  malformed: "malformed credential: AuthZEN endpoints take a PEP key (mnd_pep_...)",
  unknown: "unknown PEP key",
  revoked: "PEP key revoked",
  expired: "PEP key expired",
};

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : "";
}

export async function authenticatePep(rt: Runtime, req: IncomingMessage, requestId: string, storeParam: string | null): Promise<{ store: StoreInfo; caller: Caller }> {
  const st = authzenState(rt);
  const token = bearer(req);
  const r = await st.peps.authenticate(token);
  if (!r.ok) throw unauthorized(token === "" ? "malformed Authorization header" : FAILURES[r.failure], AUTHZEN_REALM);
  if (storeParam !== null && storeParam !== r.pep.storeId) throw forbidden(`this PEP key is bound to policy store ${r.pep.storeId}, not ${storeParam}`);
  const store = await st.stores.get(r.pep.storeId);
  if (!store) throw unauthorized(FAILURES.unknown, AUTHZEN_REALM);
  return { store, caller: { pep: r.pep, requestId } };
}

export async function evaluationEndpoint(rt: Runtime, req: IncomingMessage, requestId: string, storeParam: string | null) {
  const { store, caller } = await authenticatePep(rt, req, requestId, storeParam);
  const ev = parseEvaluation(await readJsonObject(req));
  return evaluateSingle(rt, store, ev, caller);
}

export async function evaluationsEndpoint(rt: Runtime, req: IncomingMessage, requestId: string, storeParam: string | null) {
  const { store, caller } = await authenticatePep(rt, req, requestId, storeParam);
  const batch = parseBatch(await readJsonObject(req));
  if (!batch.items) return evaluateSingle(rt, store, batch.single!, caller);
  return { evaluations: await evaluateBatch(rt, store, batch.items, batch.semantic, caller) };
}

export async function searchEndpoint(rt: Runtime, req: IncomingMessage, requestId: string, storeParam: string | null, kind: SearchKind) {
  const { store, caller } = await authenticatePep(rt, req, requestId, storeParam);
  return search(rt, store, kind, await readJsonObject(req), caller);
}

export function pdpIdentifier(publicUrl: string, storeId: string | null): string {
  const base = publicUrl.replace(/\/+$/, "");
  return storeId === null ? base : `${base}/stores/${encodeURIComponent(storeId)}`;
}

/** The PDP metadata document (for the node, or for one store under the base-path rule). */
export async function metadata(rt: Runtime, storeId: string | null) {
  let store: StoreInfo | null = null;
  if (storeId !== null) {
    store = await authzenState(rt).stores.get(storeId);
    if (!store) throw notFound(`policy store ${storeId}`);
  }
  const pdp = pdpIdentifier(rt.config.publicUrl, storeId);
  const capabilities = ["urn:mandate:authzen:capability:cedar", "urn:mandate:authzen:capability:directory", "urn:mandate:authzen:capability:search-paging"];
  if (!store || store.id === MCP_STORE_ID) capabilities.push("urn:mandate:authzen:capability:mcp-profile");
  return {
    policy_decision_point: pdp,
    access_evaluation_endpoint: `${pdp}/access/v1/evaluation`,
    access_evaluations_endpoint: `${pdp}/access/v1/evaluations`,
    search_subject_endpoint: `${pdp}/access/v1/search/subject`,
    search_resource_endpoint: `${pdp}/access/v1/search/resource`,
    search_action_endpoint: `${pdp}/access/v1/search/action`,
    capabilities,
    ...(store ? { policy_store: { id: store.id, name: store.name } } : {}),
  };
}

