/**
 * A human decides a pending approval (analysts and admins): exactly once — the UPDATE only matches a
 * pending, unexpired row, so of two concurrent decisions (on any nodes) one wins and the other gets a
 * 409 naming who decided. The change and its audit entry commit together.
 */
import { adminAction } from "../audit/admin-action.ts";
import { MandateError, notFound } from "../errors.ts";
import type { UserPrincipal } from "../identity/credential-cache.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { expireApprovals } from "./expire.ts";
import { effectiveStatus, isUuid, loadApprovalRow } from "./view.ts";
import { APPROVAL_DECIDED_ENTRY } from "../audit/entries/index.ts";
import type { Row } from "../db/rows.ts";

export type HumanDecision = "approve" | "deny";

async function explainRefusal(rt: NodeContext, id: string): Promise<MandateError> {
  const row = await loadApprovalRow(id);
  if (!row) return notFound(`approval ${id}`);
  const status = effectiveStatus(row.status, row.expires_at);
  if (status === "expired") {
    if (row.status === "pending") await expireApprovals(rt, [id]);
    return new MandateError(409, "approval_expired", `approval ${id} expired at ${new Date(row.expires_at).toISOString()}`);
  }
  const by = row.decided_by ? ` by ${row.decided_by}` : "";
  const at = row.decided_at ? ` at ${new Date(row.decided_at).toISOString()}` : "";
  return new MandateError(409, "approval_decided", `approval ${id} was already decided (${status}${by}${at})`);
}

export async function decideApproval(rt: NodeContext, id: string, user: UserPrincipal, decision: HumanDecision, comment: string | null): Promise<void> {
  if (!isUuid(id)) throw notFound(`approval ${id}`);
  const status = decision === "approve" ? "approved" : "denied";
  const done = await adminAction(rt, async (tx) => {
    const r = await tx.query<Row<"approvals", "decision_id" | "session_id" | "step" | "agent_id" | "tool" | "args_hash">>(
      `UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), comment = $4
        WHERE id = $1 AND status = 'pending' AND expires_at > now()
        RETURNING decision_id, session_id, step, agent_id, tool, args_hash`,
      [id, status, user.email, comment],
    );
    const a = r.rows[0];
    if (!a) return { result: null, audit: [] };
    // Decisions in this session look up approved approvals from now on (lib/decisions/decide.ts); a
    // decision that saw the old count conflicts at commit and is re-evaluated.
    if (status === "approved") await tx.query("UPDATE sessions SET approvals_granted = approvals_granted + 1 WHERE id = $1", [a.session_id]);
    return {
      result: { sessionId: a.session_id },
      audit: APPROVAL_DECIDED_ENTRY.entry({
        action: `approval.${decision}`,
        actor: `user:${user.email}`,
        session_id: a.session_id,
        agent_id: a.agent_id,
        tool: a.tool,
        decision_id: a.decision_id,
        outcome: status,
        data: { approval_id: id, decision, decided_by: user.email, role: user.role, comment, step: a.step, args_sha256: a.args_hash },
      }),
    };
  });
  if (!done) throw await explainRefusal(rt, id);
  if (status === "approved") await rt.applyChange("sessions", done.sessionId);
  rt.emit("approval.decided", { id, status, decided_by: user.email });
}
