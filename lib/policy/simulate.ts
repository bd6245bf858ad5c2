/**
 * Evaluates a request against a policy text outside the decision path — for stored policy tests and
 * what-if replay — with the decision path's semantics (lib/policy/interpret.ts): evaluation errors fail
 * closed, and a deny caused only by approval gates is `require_approval` when the same request with
 * `context.approval.granted = true` is allowed. A request whose context holds *unknown* values
 * (redacted arguments, session state that was not recorded) is evaluated partially: the answer is
 * given only when no value of the unknowns could change it; otherwise it is `undeterminable`.
 */
import { createHash } from "node:crypto";
import { MandateError } from "../errors.ts";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { CedarCall } from "./evaluator.ts";
import { interpret, interpretForbidsOnly, NO_PERMIT, reasonFor, type Reason } from "./interpret.ts";
import { parsePolicySet, toStaticPolicies, type PolicyPart } from "./policy-set.ts";
import { contextUsage, type ContextUsage } from "./context-usage.ts";

export type Outcome = "allow" | "deny" | "require_approval";

export interface SimResult {
  decision: Outcome | "undeterminable";
  reasons: Reason[];
  errors: Reason[];
}

export interface PreparedPolicy {
  cedarId: string;
  policies: Record<string, string>;
  byId: Map<string, PolicyPart>;
  usage: ContextUsage;
}

const prepared = new Map<string, PreparedPolicy>();

/** Parses and pre-parses a policy text once (kept for the 16 most recent texts). Throws if it does not parse. */
export function preparePolicy(text: string): PreparedPolicy {
  const cedarId = `sim:${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
  const hit = prepared.get(cedarId);
  if (hit) return hit;
  const parsed = parsePolicySet(text);
  if (!parsed.ok)
    throw new MandateError(422, "policy_invalid", `the policy set does not parse: ${parsed.problems[0]?.message} (line ${parsed.problems[0]?.line})`);
  const policies = toStaticPolicies(parsed.policies);
  const r = cedar.preparsePolicySet(cedarId, { staticPolicies: policies });
  if (r.type !== "success") throw new Error(r.errors.map((e) => e.message).join("; "));
  const p: PreparedPolicy = {
    cedarId,
    policies,
    byId: new Map(parsed.policies.map((x) => [x.id, x])),
    usage: contextUsage(parsed.policies.map((x) => x.text)),
  };
  prepared.set(cedarId, p);
  if (prepared.size > 16) prepared.delete(prepared.keys().next().value!);
  return p;
}

export const granted = (call: CedarCall): CedarCall => ({
  ...call,
  context: { ...(call.context as Record<string, cedar.CedarValueJson>), approval: { granted: true } },
});

function evaluate(p: PreparedPolicy, call: CedarCall) {
  let answer: cedar.AuthorizationAnswer;
  try {
    answer = cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: p.cedarId });
  } catch (err) {
    answer = { type: "failure", errors: [{ message: (err as Error).message } as cedar.DetailedError], warnings: [] };
  }
  return interpretAction(actionId(call), answer, p.byId);
}

/** The action's id of a call (its uid as Mandate builds it: `{type, id}`). */
export function actionId(call: CedarCall): string | undefined {
  const a = call.action as { id?: unknown };
  return typeof a.id === "string" ? a.id : undefined;
}

/** initialize is permitted unless a policy forbids (as lib/decisions/decide.ts decides it); the rest as usual. */
function interpretAction(action: string | undefined, answer: cedar.AuthorizationAnswer, byId: PreparedPolicy["byId"]) {
  return action === "initialize" ? interpretForbidsOnly(answer, byId) : interpret(answer, byId, true);
}

/** A deny caused only by approval gates: the same request with approval granted decides between deny and require_approval. */
export function needsGrantedCheck(p: PreparedPolicy, first: cedar.AuthorizationAnswer, action?: string): boolean {
  const i = interpretAction(action, first, p.byId);
  return i.decision === "deny" && i.gatedOnly;
}

/** The result from Cedar's answer(s) (evaluated elsewhere, e.g. by worker threads). */
export function fromAnswers(p: PreparedPolicy, first: cedar.AuthorizationAnswer, grantedAnswer?: cedar.AuthorizationAnswer, action?: string): SimResult {
  const i = interpretAction(action, first, p.byId);
  if (i.decision === "deny" && i.gatedOnly && grantedAnswer && interpretAction(action, grantedAnswer, p.byId).decision === "allow") {
    return { decision: "require_approval", reasons: i.reasons, errors: i.errors };
  }
  return { decision: i.decision, reasons: i.reasons, errors: i.errors };
}

/** Exact evaluation: every context value is known. */
export function simulate(p: PreparedPolicy, call: CedarCall): SimResult {
  const first = evaluate(p, call);
  if (first.decision === "deny" && first.gatedOnly && evaluate(p, granted(call)).decision === "allow") {
    return { decision: "require_approval", reasons: first.reasons, errors: first.errors };
  }
  return { decision: first.decision, reasons: first.reasons, errors: first.errors };
}

function partial(p: PreparedPolicy, call: CedarCall): { decision: "allow" | "deny" | null; ids: string[]; errored: string[]; unknownIn: string[] } {
  const a = cedar.isAuthorizedPartial({ ...(call as object), policies: { staticPolicies: p.policies } } as cedar.PartialAuthorizationCall);
  if (a.type !== "residuals") return { decision: "deny", ids: [], errored: ["mandate.evaluation_error"], unknownIn: [] };
  const r = a.response;
  return {
    decision: r.decision ?? null,
    ids: r.decision ? [...new Set([...r.mustBeDetermining, ...r.satisfied])] : [],
    errored: r.errored,
    unknownIn: r.nontrivialResiduals,
  };
}

/** Evaluation with unknown values in the context (Cedar partial evaluation). */
export function simulatePartial(p: PreparedPolicy, call: CedarCall): SimResult {
  const first = partial(p, call);
  if (first.errored.length) {
    const r = { policy: "mandate.policy_error", message: `policy evaluation failed (${first.errored.join(", ")}): failing closed` };
    return { decision: "deny", reasons: [r], errors: [r] };
  }
  if (first.decision === null) {
    return {
      decision: "undeterminable",
      reasons: first.unknownIn.map((id) => ({ policy: id, message: `depends on a value that is not known: ${reasonFor(p.byId.get(id), id).message}` })),
      errors: [],
    };
  }
  if (first.decision === "allow") return { decision: "allow", reasons: first.ids.map((id) => reasonFor(p.byId.get(id), id)), errors: [] };
  const forbids = first.ids.filter((id) => p.byId.get(id)?.effect === "forbid");
  const reasons = forbids.length ? forbids.map((id) => reasonFor(p.byId.get(id), id)) : [NO_PERMIT];
  const gatedOnly = forbids.length > 0 && forbids.every((id) => p.byId.get(id)?.annotations.approval !== undefined);
  if (gatedOnly) {
    const second = partial(p, granted(call));
    if (second.decision === "allow") return { decision: "require_approval", reasons, errors: [] };
    if (second.decision === null) return { decision: "undeterminable", reasons, errors: [] };
  }
  return { decision: "deny", reasons, errors: [] };
}

/** A Cedar value that partial evaluation treats as unknown. */
export function unknownValue(name: string): cedar.CedarValueJson {
  return { __extn: { fn: "unknown", arg: name } };
}
