/**
 * Operator control: terminate a session. Every later decision in it is denied, on every node (the
 * status is part of the optimistic check of mandate_commit()).
 */
import { adminAction } from "../audit/admin-action.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { SESSION_TERMINATE_ENTRY } from "../audit/entries/index.ts";
import type { Row } from "../db/rows.ts";

export async function terminateSession(rt: NodeContext, id: string, reason: string, actor: string) {
  const result = await adminAction(rt, async (tx) => {
    const r = await tx.query<Row<"sessions", "status" | "agent_id">>("SELECT status, agent_id FROM sessions WHERE id = $1 FOR UPDATE", [id]);
    if (!r.rowCount) throw notFound(`session ${id}`);
    if (r.rows[0].status === "terminated") throw new MandateError(409, "conflict", `session ${id} is already terminated`);
    await tx.query("UPDATE sessions SET status = 'terminated', terminated_at = now(), terminated_reason = $2, terminated_by = $3 WHERE id = $1", [
      id,
      reason,
      actor,
    ]);
    return {
      result: { id, status: "terminated" },
      audit: SESSION_TERMINATE_ENTRY.entry({ actor, session_id: id, agent_id: r.rows[0].agent_id, data: { reason } }),
    };
  });
  await rt.applyChange("sessions", id);
  return result;
}
