/**
 * The AuthZEN endpoints behind lib/http/routes/authzen.ts, after the route wrapper authenticated the
 * PEP (`auth: "pep"`, lib/authzen/pep-auth.ts) and read the body (content type, size, UTF-8, JSON, the
 * body rules of lib/util/exact-json.ts): the AuthZEN parsing of the body, and the PDP metadata with
 * the spec's base-path rule: the PDP of store S is `<public url>/stores/S`, its metadata at
 * `/.well-known/authzen-configuration/stores/S`.
 */
import type { Runtime } from "../runtime/runtime.ts";
import { notFound } from "../errors.ts";
import { MCP_STORE_ID } from "../policy/publish.ts";
import { evaluateBatch, evaluateSingle } from "./evaluate.ts";
import type { PepRequest } from "./pep-auth.ts";
import { parseBatch, parseEvaluation, type AzObject } from "./request.ts";
import { search, type SearchKind } from "./search.ts";
import type { StoreInfo } from "./stores.ts";

export function evaluationEndpoint(rt: Runtime, { store, caller }: PepRequest, body: AzObject) {
  return evaluateSingle(rt, store, parseEvaluation(body), caller);
}

export async function evaluationsEndpoint(rt: Runtime, { store, caller }: PepRequest, body: AzObject) {
  const batch = parseBatch(body);
  if (!batch.items) return evaluateSingle(rt, store, batch.single!, caller);
  return { evaluations: await evaluateBatch(rt, store, batch.items, batch.semantic, caller) };
}

export function searchEndpoint(rt: Runtime, { store, caller }: PepRequest, body: AzObject, kind: SearchKind) {
  return search(rt, store, kind, body, caller);
}

export function pdpIdentifier(publicUrl: string, storeId: string | null): string {
  const base = publicUrl.replace(/\/+$/, "");
  return storeId === null ? base : `${base}/stores/${encodeURIComponent(storeId)}`;
}

/** The PDP metadata document (for the node, or for one store under the base-path rule). */
export async function metadata(rt: Runtime, storeId: string | null) {
  let store: StoreInfo | null = null;
  if (storeId !== null) {
    store = await rt.authzen.stores.get(storeId);
    if (!store) throw notFound(`policy store ${storeId}`);
  }
  const pdp = pdpIdentifier(rt.config.publicUrl, storeId);
  const capabilities = ["urn:mandate:authzen:capability:cedar", "urn:mandate:authzen:capability:directory", "urn:mandate:authzen:capability:search-paging"];
  if (!store || store.id === MCP_STORE_ID) capabilities.push("urn:mandate:authzen:capability:mcp-profile", "urn:mandate:authzen:capability:coaz-mcp");
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
