/**
 * AuthZEN evaluations over the same pipeline as the native decision path: the store's active policy
 * version from the PolicyCache (parsed and prepared once), Cedar in the worker threads, interpret()
 * (evaluation errors fail closed), and one audit entry per decision on the node's decision chain —
 * committed before the answer is sent. The MCP store is answered through the MCP profile (mcp.ts),
 * i.e. by decide() itself, and COAZ-MCP's server-level methods by mcp-server.ts.
 */
import { randomUUID } from "node:crypto";
import { interpret, type Reason } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { authzenDecisionEntry } from "../audit/entries/index.ts";
import { auditedRequest, decisionContext, type Answer, type Caller, type ItemOutcome } from "./audit.ts";
import { mapEvaluation } from "./mapping.ts";
import { evaluateMcp } from "./mcp.ts";
import { isCoazItemRequest } from "./mcp-items.ts";
import { COAZ_SERVER_TYPE, evaluateMcpServer } from "./mcp-server.ts";
import type { AzEvaluation, Semantic } from "./request.ts";
import type { StoreInfo } from "./stores.ts";
import { logger } from "../telemetry/log.ts";

async function evaluateGeneric(rt: Runtime, store: StoreInfo, ev: AzEvaluation, caller: Caller): Promise<ItemOutcome> {
  const t0 = process.hrtime.bigint();
  const st = rt.authzen;
  const { active, shadow } = await rt.policies.get(store.id);
  const decisionId = randomUUID();
  let allowed = false;
  let reasons: Reason[];
  let errors: Reason[] = [];
  let shadowResult: { version: string; decision: "allow" | "deny"; reasons: Reason[] } | null = null;
  let known: unknown = null;
  if (!active) reasons = [{ policy: "mandate.no_active_policy", message: `no policy version of store ${store.id} is active: failing closed` }];
  else {
    const mapped = await mapEvaluation(store, ev, { withAncestors: (uids) => st.directory.withAncestors(store.id, uids) });
    known = mapped.known;
    const [answer, shadowAnswer] = await Promise.all([
      rt.evaluator.evaluate(active.cedarId, mapped.call),
      shadow ? rt.evaluator.evaluate(shadow.cedarId, mapped.call) : null,
    ]);
    const r = interpret(answer, active.byId, rt.config.failClosedOnPolicyError);
    allowed = r.decision === "allow";
    reasons = r.reasons;
    errors = r.errors;
    if (shadow && shadowAnswer) {
      const s = interpret(shadowAnswer, shadow.byId, rt.config.failClosedOnPolicyError);
      shadowResult = { version: shadow.label, decision: s.decision, reasons: s.reasons };
    }
  }
  const version = active?.label ?? "none";
  const outcome = allowed ? "allow" : "deny";
  const audit = authzenDecisionEntry(caller, store.id, decisionId, outcome, {
    request: auditedRequest(ev),
    directory: known,
    reasons,
    errors,
    policy_version: version,
    latency_us: Number((process.hrtime.bigint() - t0) / 1000n),
    shadow: shadowResult,
  });
  return { answer: { decision: allowed, context: decisionContext(decisionId, allowed, reasons, version) }, audit };
}

export async function evaluateItem(rt: Runtime, store: StoreInfo, ev: AzEvaluation, caller: Caller): Promise<ItemOutcome> {
  if (store.kind !== "mcp") return evaluateGeneric(rt, store, ev, caller);
  // logging/setLevel on an mcp_server is decided by the native pipeline (mcp-items.ts, through evaluateMcp).
  return ev.resource.type === COAZ_SERVER_TYPE && !isCoazItemRequest(ev.action.name, ev.resource.type)
    ? evaluateMcpServer(rt, ev, caller)
    : evaluateMcp(rt, ev, caller);
}

/** A batch item that could not be evaluated: decision false with the error, and still audited. */
function failedItem(caller: Caller, store: StoreInfo, status: number, message: string): ItemOutcome {
  const decisionId = randomUUID();
  return {
    answer: { decision: false, context: { id: decisionId, error: { status, message } } },
    audit: authzenDecisionEntry(caller, store.id, decisionId, "deny", { reasons: [{ policy: "mandate.invalid_request", message }], errors: [] }),
  };
}

async function safeItem(rt: Runtime, store: StoreInfo, item: AzEvaluation | { error: string }, caller: Caller): Promise<ItemOutcome> {
  if ("error" in item) return failedItem(caller, store, 400, item.error);
  try {
    return await evaluateItem(rt, store, item, caller);
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (typeof e.status !== "number") logger.error("AuthZEN evaluation failed", { component: "authzen", request_id: caller.requestId, err });
    return failedItem(caller, store, e.status ?? 500, e.status ? (e.message ?? "error") : "internal error");
  }
}

/** Evaluates a batch with the requested semantic; answers in request order, after the audit commit. */
export async function evaluateBatch(
  rt: Runtime,
  store: StoreInfo,
  items: Array<AzEvaluation | { error: string }>,
  semantic: Semantic,
  caller: Caller,
): Promise<Answer[]> {
  let outcomes: ItemOutcome[];
  if (semantic === "execute_all") {
    outcomes = await Promise.all(items.map((it) => safeItem(rt, store, it, caller)));
  } else {
    outcomes = [];
    for (const it of items) {
      const o = await safeItem(rt, store, it, caller);
      outcomes.push(o);
      if (semantic === "deny_on_first_deny" && !o.answer.decision) break;
      if (semantic === "permit_on_first_permit" && o.answer.decision) break;
    }
  }
  await commit(rt, outcomes);
  return outcomes.map((o) => o.answer);
}

/** One evaluation (the /evaluation endpoint): errors are HTTP errors here, not item errors. */
export async function evaluateSingle(rt: Runtime, store: StoreInfo, ev: AzEvaluation, caller: Caller): Promise<Answer> {
  const o = await evaluateItem(rt, store, ev, caller);
  await commit(rt, [o]);
  return o.answer;
}

async function commit(rt: Runtime, outcomes: ItemOutcome[]): Promise<void> {
  const entries = outcomes.flatMap((o) => (o.audit ? [o.audit] : []));
  if (entries.length) await rt.decisionChain.submit({ entries });
}
