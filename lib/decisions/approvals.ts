/**
 * Approvals as the decision path uses them: an approval is bound to a session, a tool and the hash of
 * the arguments; a retried call with exactly those is allowed once (the approval becomes "used" in the
 * same commit as the decision).
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";

export async function findApprovedApproval(sessionId: string, toolKey: string, argsHash: string): Promise<{ id: string; decidedBy: string | null } | null> {
  const r = await getPool().query<Row<"approvals", "id" | "decided_by">>(
    `SELECT id, decided_by FROM approvals
      WHERE session_id = $1 AND tool = $2 AND args_hash = $3 AND status = 'approved' AND expires_at > now()
      ORDER BY decided_at ASC LIMIT 1`,
    [sessionId, toolKey, argsHash],
  );
  const row = r.rows[0];
  return row ? { id: row.id, decidedBy: row.decided_by } : null;
}
