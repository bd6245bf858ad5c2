/**
 * Stages 4–5 of the decision path (lib/decisions/decide.ts): Cedar on the active policy (and the shadow
 * policy, if one runs) in the evaluator's worker, then the approval gate: `require_approval` means exactly
 * "denied now, allowed if re-evaluated with approval.granted = true", and an approved Approval of the same
 * call turns it into an allow.
 */
import type { Reason } from "../api/schemas.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { interpret, interpretForbidsOnly } from "../policy/interpret.ts";
import type { CedarAnswer } from "../policy/evaluator.ts";
import type { LoadedPolicy } from "../policy/policy-cache.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { SessionState } from "../sessions/session-cache.ts";
import { buildMcpCall, type CallCounters, type DecidedItem, type DelegationView } from "./mcp-request.ts";
import { findApprovedApproval } from "./approvals.ts";
import type { Target } from "./target.ts";

export interface Evaluated {
  decision: "allow" | "deny" | "require_approval";
  reasons: Reason[];
  errors: Reason[];
  approvalUsed?: string;
  shadow?: { version: string; decision: Evaluated["decision"]; reasons: Reason[] };
}

export async function evaluate(
  rt: Runtime,
  policy: LoadedPolicy,
  shadow: LoadedPolicy | null,
  agent: AgentPrincipal,
  tool: DecidedItem,
  target: Target,
  session: SessionState,
  delegation: DelegationView,
  argsHash: string,
  now: number,
  counters: CallCounters,
): Promise<Evaluated> {
  // Literals, not `{ ...base, approvalGranted }`: a spread followed by members is slow on this V8.
  const call = buildMcpCall({ action: target.action, agent, tool, args: target.args, session, delegation, now, approvalGranted: false, counters });
  const [answer, shadowAnswer] = await Promise.all([rt.evaluator.evaluate(policy.cedarId, call), shadow ? rt.evaluator.evaluate(shadow.cedarId, call) : null]);
  const first = readAnswer(rt, target, answer, policy);
  const out: Evaluated = { decision: first.decision, reasons: first.reasons, errors: first.errors };
  if (shadow && shadowAnswer) {
    const s = readAnswer(rt, target, shadowAnswer, shadow);
    out.shadow = { version: shadow.label, decision: s.gatedOnly ? "require_approval" : s.decision, reasons: s.reasons };
  }
  if (first.decision === "deny" && first.gatedOnly) {
    // require_approval means exactly: denied now, allowed if re-evaluated with approval.granted = true.
    const granted = readAnswer(
      rt,
      target,
      await rt.evaluator.evaluate(
        policy.cedarId,
        buildMcpCall({ action: target.action, agent, tool, args: target.args, session, delegation, now, approvalGranted: true, counters }),
      ),
      policy,
    );
    if (granted.decision === "allow") {
      // Only a session with an approval granted can hold an approved one (the count is checked at commit).
      const approved = session.approvalsGranted > 0 ? await findApprovedApproval(session.id, tool.key, argsHash) : null;
      if (approved) {
        return {
          ...out,
          decision: "allow",
          reasons: [{ policy: "mandate.approval", message: `approved by ${approved.decidedBy ?? "a human"} (approval ${approved.id})` }, ...granted.reasons],
          approvalUsed: approved.id,
        };
      }
      return { ...out, decision: "require_approval" };
    }
  }
  return out;
}

/**
 * initialize is permitted unless a policy forbids (docs/policies.md): a new server must be able to start to
 * be reviewed. (A module function: a named closure made per decision costs a `__name` call under tsx.)
 */
function readAnswer(rt: Runtime, target: Target, a: CedarAnswer, p: LoadedPolicy) {
  return target.action === "initialize" ? interpretForbidsOnly(a, p.byId) : interpret(a, p.byId, rt.config.failClosedOnPolicyError);
}
