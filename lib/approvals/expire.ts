/**
 * Expiry: a pending approval past its expires_at becomes `expired` exactly once (UPDATE … WHERE
 * status = 'pending', whichever node gets there first), with an audit entry, then notifies.
 * The sweeper runs on every node; a read of an expired approval expires it at once.
 */
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import { getPool } from "../db/pool.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { APPROVAL_EXPIRED_ENTRY } from "../audit/entries/index.ts";
import type { Row } from "../db/rows.ts";

const BATCH = 500;

/** Expires the given approvals (or any due ones, when ids is null); returns the ids it expired. */
export async function expireApprovals(rt: NodeContext, ids: string[] | null): Promise<string[]> {
  const expired = await adminAction(rt, async (tx) => {
    const r = await tx.query<Row<"approvals", "id" | "decision_id" | "session_id" | "step" | "agent_id" | "tool" | "args_hash" | "expires_at">>(
      `UPDATE approvals SET status = 'expired'
        WHERE id IN (SELECT id FROM approvals
                      WHERE status = 'pending' AND expires_at <= now() AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))
                      ORDER BY expires_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, decision_id, session_id, step, agent_id, tool, args_hash, expires_at`,
      [ids],
    );
    const audit: AdminAudit[] = r.rows.map((a) =>
      APPROVAL_EXPIRED_ENTRY.entry({
        actor: "system",
        session_id: a.session_id,
        agent_id: a.agent_id,
        tool: a.tool,
        decision_id: a.decision_id,
        outcome: "expired",
        data: { approval_id: a.id, step: a.step, args_sha256: a.args_hash, expires_at: new Date(a.expires_at).toISOString() },
      }),
    );
    return { result: r.rows.map((a) => a.id), audit };
  });
  for (const id of expired) rt.emit("approval.expired", { id });
  return expired;
}

/** One sweep: cheap when nothing is due (no transaction, no audit chain use). */
export async function expireDue(rt: NodeContext): Promise<number> {
  const due = await getPool().query(`SELECT 1 FROM approvals WHERE status = 'pending' AND expires_at <= now() LIMIT 1`);
  if (!due.rowCount) return 0;
  return (await expireApprovals(rt, null)).length;
}
