/**
 * The generic AuthZEN → Cedar mapping (DESIGN.md "APIs"; docs/authzen.md "Mapping"):
 *   subject.type/id   → principal entity      resource.type/id → resource entity
 *   action.name       → Action::"<name>"       context          → context
 *   subject/resource properties → attributes of those entities, over the directory's attributes
 *   action.properties → context.action (Cedar actions carry no attributes)
 * Entities and their ancestors come from the store's directory (the PIP); what the PEP sends wins over
 * what the directory holds, attribute by attribute. Nothing here knows any subject, resource or action.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { CachedEntity } from "../directory/cache.ts";
import { entityKey } from "../directory/cache.ts";
import type { EntityRef } from "../directory/entities.ts";
import { toCedarRecord } from "../policy/cedar-values.ts";
import type { CedarCall } from "../policy/evaluator.ts";
import type { AzEvaluation } from "./request.ts";
import { actionEntities, resolveType, type StoreInfo } from "./stores.ts";

export interface EntitySource {
  withAncestors(uids: EntityRef[]): Promise<Map<string, CachedEntity>>;
}

export interface MappedRequest {
  call: CedarCall;
  principal: EntityRef;
  resource: EntityRef;
  /** Whether the principal / resource were found in the directory. */
  known: { subject: boolean; resource: boolean };
}

export async function mapEvaluation(store: StoreInfo, ev: AzEvaluation, dir: EntitySource): Promise<MappedRequest> {
  const principal = { type: resolveType(store, ev.subject.type), id: ev.subject.id };
  const resource = { type: resolveType(store, ev.resource.type), id: ev.resource.id };
  const found = await dir.withAncestors([principal, resource]);
  const entities = new Map<string, cedar.EntityJson>();
  for (const [k, e] of found) entities.set(k, { uid: e.uid, attrs: { ...e.attrs }, parents: e.parents });
  const known = { subject: found.has(entityKey(principal.type, principal.id)), resource: found.has(entityKey(resource.type, resource.id)) };
  const withProps = (uid: EntityRef, props: Record<string, unknown> | undefined) => {
    const k = entityKey(uid.type, uid.id);
    const e = entities.get(k) ?? { uid, attrs: {}, parents: [] };
    if (props) e.attrs = { ...e.attrs, ...toCedarRecord(props) };
    entities.set(k, e);
  };
  withProps(principal, ev.subject.properties);
  withProps(resource, ev.resource.properties);
  const context = toCedarRecord(ev.context ?? {});
  if (ev.action.properties) context.action = toCedarRecord(ev.action.properties);
  for (const a of actionEntities(store, ev.action.name)) entities.set(entityKey(store.actionType, (a.uid as EntityRef).id), a);
  return {
    call: {
      principal,
      action: { type: store.actionType, id: ev.action.name },
      resource,
      context,
      entities: [...entities.values()],
    },
    principal,
    resource,
    known,
  };
}
