/**
 * Turns a Cedar answer into Mandate's outcome and readable reasons.
 * - Policies that errored are facts, not silent skips: with `failClosedOnError` (the default) any
 *   evaluation error makes the request a deny, and the errors are returned.
 * - A deny whose determining policies are all approval gates (`@approval`) is a candidate for
 *   `require_approval`; the caller confirms by re-evaluating with context.approval.granted = true.
 */
import type { CedarAnswer } from "./evaluator.ts";
import type { PolicyPart } from "./policy-set.ts";

export interface Reason {
  policy: string;
  message: string;
}

export interface Interpretation {
  decision: "allow" | "deny";
  reasons: Reason[];
  errors: Reason[];
  /** Every determining policy of this deny is an approval gate. */
  gatedOnly: boolean;
}

export function reasonFor(p: PolicyPart | undefined, id: string): Reason {
  const message = p?.annotations.reason ?? p?.annotations.message ?? `${p?.effect === "permit" ? "permitted" : "forbidden"} by policy ${id}`;
  return { policy: id, message };
}

export const NO_PERMIT: Reason = { policy: "mandate.default_deny", message: "no policy permits this call" };

export function interpret(answer: CedarAnswer, byId: Map<string, PolicyPart>, failClosedOnError = true): Interpretation {
  if (answer.type !== "success") {
    const msg = answer.errors.map((e) => e.message).join("; ") || "Cedar could not evaluate the request";
    const r = { policy: "mandate.evaluation_error", message: msg };
    return { decision: "deny", reasons: [r], errors: [r], gatedOnly: false };
  }
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((e) => ({ policy: e.policyId, message: e.error.message }));
  const ids = diagnostics.reason;
  if (errors.length && failClosedOnError) {
    return {
      decision: "deny",
      reasons: [
        { policy: "mandate.policy_error", message: `policy evaluation failed (${errors.map((e) => e.policy).join(", ")}): failing closed` },
        ...(decision === "deny" ? ids.map((id) => reasonFor(byId.get(id), id)) : []),
      ],
      errors,
      gatedOnly: false,
    };
  }
  if (decision === "allow") {
    return { decision, reasons: ids.map((id) => reasonFor(byId.get(id), id)), errors, gatedOnly: false };
  }
  if (ids.length === 0) return { decision, reasons: [NO_PERMIT], errors, gatedOnly: false };
  const reasons = ids.map((id) => reasonFor(byId.get(id), id));
  const gatedOnly = ids.every((id) => {
    const p = byId.get(id);
    return p?.effect === "forbid" && p.annotations.approval !== undefined;
  });
  return { decision, reasons, errors, gatedOnly };
}

export const INITIALIZE_PERMITTED: Reason = {
  policy: "mandate.initialize",
  message: "initialize on a server in the inventory is permitted to an active agent unless a policy forbids",
};

/**
 * For an action that is permitted unless a policy forbids (initialize): permits do not matter (one that
 * errors neither); a forbid that applies denies with its reason, and a forbid that errors denies (fail
 * closed, whatever `failClosedOnError` says: the permit is built in, an erroring forbid must not open it).
 */
export function interpretForbidsOnly(answer: CedarAnswer, byId: Map<string, PolicyPart>): Interpretation {
  if (answer.type !== "success") return interpret(answer, byId);
  const forbid = (id: string) => byId.get(id)?.effect === "forbid";
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.filter((e) => forbid(e.policyId)).map((e) => ({ policy: e.policyId, message: e.error.message }));
  if (errors.length) {
    return {
      decision: "deny",
      reasons: [{ policy: "mandate.policy_error", message: `policy evaluation failed (${errors.map((e) => e.policy).join(", ")}): failing closed` }],
      errors,
      gatedOnly: false,
    };
  }
  const forbidden = decision === "deny" ? diagnostics.reason.filter(forbid) : [];
  if (forbidden.length === 0) return { decision: "allow", reasons: [INITIALIZE_PERMITTED], errors: [], gatedOnly: false };
  const gatedOnly = forbidden.every((id) => byId.get(id)?.annotations.approval !== undefined);
  return { decision: "deny", reasons: forbidden.map((id) => reasonFor(byId.get(id), id)), errors: [], gatedOnly };
}
