/**
 * Reading approvals: one approval (the agent that requested it, or any user), optionally long-polled
 * until it changes (`?wait=` seconds), and the list for reviewers.
 */
import { getPool } from "../db/pool.ts";
import { notFound } from "../errors.ts";
import type { Principal } from "../identity/credential-cache.ts";
import { expireApprovals } from "./expire.ts";
import { APPROVAL_COLUMNS, loadApprovalRow, type ApprovalRow, loadNotifications, toView, type ApprovalStatus, type ApprovalView } from "./view.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import type { ApprovalWaiters } from "./waiters.ts";

export const MAX_WAIT_S = 30;
/** Re-read at least this often while waiting, in case a notification was missed. */
const RECHECK_MS = 5000;

async function readVisible(rt: NodeContext, id: string, principal: Principal, publicUrl: string): Promise<ApprovalView> {
  let row = await loadApprovalRow(id);
  // Another agent learns nothing, not even that the approval exists.
  if (!row || (principal.kind === "agent" && row.agent_id !== principal.agentId)) throw notFound(`approval ${id}`);
  if (row.status === "pending" && new Date(row.expires_at).getTime() <= Date.now()) {
    await expireApprovals(rt, [id]);
    row = (await loadApprovalRow(id)) ?? row;
  }
  return toView(row, publicUrl);
}

export async function getApproval(
  rt: NodeContext & { approvalWaiters: ApprovalWaiters },
  id: string,
  principal: Principal,
  publicUrl: string,
  waitSeconds = 0,
): Promise<ApprovalView> {
  let view = await readVisible(rt, id, principal, publicUrl);
  const deadline = Date.now() + Math.min(waitSeconds, MAX_WAIT_S) * 1000;
  while (view.status === "pending" && Date.now() < deadline) {
    const untilExpiry = new Date(view.expires_at).getTime() - Date.now() + 50;
    await rt.approvalWaiters.wait(id, Math.min(deadline - Date.now(), untilExpiry, RECHECK_MS));
    view = await readVisible(rt, id, principal, publicUrl);
  }
  view.notifications = await loadNotifications(id);
  return view;
}

const STATUS_WHERE: Record<ApprovalStatus, string> = {
  pending: `ap.status = 'pending' AND ap.expires_at > now()`,
  expired: `(ap.status = 'expired' OR (ap.status = 'pending' AND ap.expires_at <= now()))`,
  approved: `ap.status = 'approved'`,
  denied: `ap.status = 'denied'`,
  used: `ap.status = 'used'`,
};

export interface ApprovalListQuery {
  status?: ApprovalStatus;
  session_id?: string;
  limit: number;
}

export async function listApprovals(q: ApprovalListQuery, publicUrl: string): Promise<{ approvals: ApprovalView[] }> {
  const where = [q.status ? STATUS_WHERE[q.status] : "true", "($1::text IS NULL OR ap.session_id = $1)"];
  const r = await getPool().query<ApprovalRow>(
    `SELECT ${APPROVAL_COLUMNS} FROM approvals ap LEFT JOIN agents a ON a.id = ap.agent_id
      WHERE ${where.join(" AND ")} ORDER BY ap.created_at DESC, ap.id LIMIT $2`,
    [q.session_id ?? null, q.limit],
  );
  return { approvals: r.rows.map((row) => toView(row, publicUrl)) };
}
