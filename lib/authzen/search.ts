/**
 * The AuthZEN search APIs (subject, resource, action) with paging. Candidates are the store's
 * directory entities of the searched type (subject/resource) or the schema's actions that apply to the
 * subject's and resource's types; each is evaluated like an /evaluation request, so every result fed
 * back into /evaluation gives `decision: true`. Candidates are scanned in a stable order; `next_token`
 * is an opaque cursor (the last candidate scanned), and "" when the scan is complete. One audit entry
 * records each search.
 */
import type { EntityRef } from "../directory/entities.ts";
import { interpret } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { authzenSearchEntry } from "../audit/entries/index.ts";
import { auditedRequest, type Caller } from "./audit.ts";
import { mapEvaluation } from "./mapping.ts";
import { mcpSearchPlan } from "./mcp-search.ts";
import { badRequest, isObj, parseAction, parseContext, parseEntity, parsePage, type AzAction, type AzEntity, type AzEvaluation, type Page } from "./request.ts";
import { resolveType, type StoreInfo } from "./stores.ts";

export type SearchKind = "subject" | "resource" | "action";

export interface SearchQuery {
  kind: SearchKind;
  subject: AzEntity;
  action: AzAction | null;
  resource: AzEntity;
  context?: Record<string, unknown>;
  page: Page;
}

export interface Candidate {
  key: string;
  ev: AzEvaluation;
  result: Record<string, string>;
}

/** Candidates in key order strictly after `after`; and the check that admits one. */
export interface SearchPlan {
  source: (after: string | null, limit: number) => Promise<Candidate[]>;
  check: (ev: AzEvaluation) => Promise<boolean>;
  version: string;
}

const CHUNK = 200;
export const MAX_SCAN = 5000;

export function parseSearch(kind: SearchKind, body: Record<string, unknown>): SearchQuery {
  const subject = parseEntity(body.subject, "subject", kind !== "subject");
  const action = kind === "action" ? null : parseAction(body.action);
  const resource = parseEntity(body.resource, "resource", kind !== "resource");
  const context = parseContext(body.context);
  return { kind, subject, action, resource, ...(context ? { context } : {}), page: parsePage(body.page) };
}

function encodeToken(kind: SearchKind, after: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: after }), "utf8").toString("base64url");
}

function decodeToken(kind: SearchKind, token: string | null): string | null {
  if (!token) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (isObj(v) && v.k === kind && typeof v.a === "string") return v.a;
  } catch {
    // fall through
  }
  throw badRequest("page.token is not a token this endpoint issued");
}

function evalFor(q: SearchQuery, patch: Partial<AzEvaluation>): AzEvaluation {
  return { subject: q.subject, action: q.action ?? { name: "" }, resource: q.resource, ...(q.context ? { context: q.context } : {}), ...patch };
}

async function genericPlan(rt: Runtime, store: StoreInfo, q: SearchQuery): Promise<SearchPlan> {
  const st = rt.authzen;
  const { active } = await rt.policies.get(store.id);
  const dir = { withAncestors: (uids: EntityRef[]) => st.directory.withAncestors(store.id, uids) };
  const check = async (ev: AzEvaluation) => {
    if (!active) return false;
    const mapped = await mapEvaluation(store, ev, dir);
    const answer = await rt.evaluator.evaluate(active.cedarId, mapped.call);
    return interpret(answer, active.byId, rt.config.failClosedOnPolicyError).decision === "allow";
  };
  let source: SearchPlan["source"];
  if (q.kind === "action") {
    const pt = resolveType(store, q.subject.type);
    const rtype = resolveType(store, q.resource.type);
    const names = store.actions.filter((a) => a.principalTypes.includes(pt) && a.resourceTypes.includes(rtype)).map((a) => a.name);
    source = async (after, limit) =>
      names
        .filter((n) => after === null || n > after)
        .slice(0, limit)
        .map((n) => ({ key: n, ev: evalFor(q, { action: { name: n } }), result: { name: n } }));
  } else {
    const searched = q.kind === "subject" ? q.subject : q.resource;
    const type = resolveType(store, searched.type);
    source = async (after, limit) =>
      (await st.directory.candidates(store.id, type, after, limit)).map((c) => {
        const entity = { ...searched, id: c.uid.id };
        return {
          key: c.uid.id,
          ev: evalFor(q, q.kind === "subject" ? { subject: entity } : { resource: entity }),
          result: { type: searched.type, id: c.uid.id },
        };
      });
  }
  return { source, check, version: active?.label ?? "none" };
}

export async function search(rt: Runtime, store: StoreInfo, kind: SearchKind, body: Record<string, unknown>, caller: Caller) {
  const t0 = process.hrtime.bigint();
  const q = parseSearch(kind, body);
  let last = decodeToken(kind, q.page.token);
  const plan = store.kind === "mcp" ? await mcpSearchPlan(rt, q, caller) : await genericPlan(rt, store, q);
  const results: Array<Record<string, string>> = [];
  let scanned = 0;
  let done = false;
  while (results.length < q.page.limit && scanned < MAX_SCAN) {
    const want = Math.min(CHUNK, MAX_SCAN - scanned);
    const batch = await plan.source(last, want);
    const oks = await Promise.all(batch.map((c) => plan.check(c.ev).catch(() => false)));
    let consumed = 0;
    for (let i = 0; i < batch.length && results.length < q.page.limit; i++) {
      last = batch[i].key;
      consumed++;
      if (oks[i]) results.push(batch[i].result);
    }
    scanned += consumed;
    if (batch.length < want && consumed === batch.length) {
      done = true;
      break;
    }
  }
  const nextToken = done || last === null ? "" : encodeToken(kind, last);
  await rt.decisionChain.submit({
    entries: [
      authzenSearchEntry(caller, store.id, {
        search: kind,
        query: auditedRequest({ subject: q.subject, action: q.action, resource: q.resource, context: q.context ?? null }),
        result_count: results.length,
        scanned,
        more: nextToken !== "",
        policy_version: plan.version,
        latency_us: Number((process.hrtime.bigint() - t0) / 1000n),
      }),
    ],
  });
  return { results, page: { next_token: nextToken, count: results.length } };
}
