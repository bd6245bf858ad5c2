/**
 * How an approval is shown through the API: its effective status (a pending approval past its expiry
 * is expired, even before the sweeper has marked it), what it is bound to, who decided, and links.
 */
import { getPool, type Queryable } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired" | "used";

export interface NotificationStatus {
  event: string;
  format: string;
  target: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

export interface ApprovalView {
  id: string;
  status: ApprovalStatus;
  decision_id: string;
  session: { id: string; step: number };
  agent: { id: string; name: string | null };
  tool: string;
  args_sha256: string;
  reasons: unknown;
  expires_at: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  poll_url: string;
  console_url: string;
  notifications?: NotificationStatus[];
}

export const APPROVAL_COLUMNS = `ap.id, ap.decision_id, ap.session_id, ap.step, ap.agent_id, a.name AS agent_name, ap.tool, ap.args_hash,
  ap.reasons, ap.status, ap.expires_at, ap.created_at, ap.decided_by, ap.decided_at, ap.comment`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export function effectiveStatus(status: string, expiresAt: Date | string, now = Date.now()): ApprovalStatus {
  if (status === "pending" && new Date(expiresAt).getTime() <= now) return "expired";
  return status as ApprovalStatus;
}

/** An approval's row as APPROVAL_COLUMNS reads it (with its agent's name). */
export type ApprovalRow = Row<
  "approvals",
  | "id"
  | "decision_id"
  | "session_id"
  | "step"
  | "agent_id"
  | "tool"
  | "args_hash"
  | "reasons"
  | "status"
  | "expires_at"
  | "created_at"
  | "decided_by"
  | "decided_at"
  | "comment"
> & {
  agent_name: Col<"agents", "name"> | null;
};

export function toView(r: ApprovalRow, publicUrl: string): ApprovalView {
  return {
    id: r.id,
    status: effectiveStatus(r.status, r.expires_at),
    decision_id: r.decision_id,
    session: { id: r.session_id, step: r.step },
    agent: { id: r.agent_id, name: r.agent_name ?? null },
    tool: r.tool,
    args_sha256: r.args_hash,
    reasons: r.reasons,
    expires_at: iso(r.expires_at)!,
    created_at: iso(r.created_at)!,
    decided_by: r.decided_by,
    decided_at: iso(r.decided_at),
    comment: r.comment,
    poll_url: `${publicUrl}/api/v1/approvals/${r.id}`,
    console_url: `${publicUrl}/approvals/${r.id}`,
  };
}

/** The stored row (raw status), or null. */
export async function loadApprovalRow(id: string, q: Queryable = getPool()): Promise<ApprovalRow | null> {
  if (!isUuid(id)) return null;
  const r = await q.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM approvals ap LEFT JOIN agents a ON a.id = ap.agent_id WHERE ap.id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function loadNotifications(id: string): Promise<NotificationStatus[]> {
  const r = await getPool().query<
    Row<"approval_notifications", "event" | "format" | "target" | "status" | "attempts" | "last_status" | "last_error" | "delivered_at">
  >(
    `SELECT event, format, target, status, attempts, last_status, last_error, delivered_at FROM approval_notifications
      WHERE approval_id = $1 ORDER BY created_at, event`,
    [id],
  );
  return r.rows.map((n) => ({ ...n, status: n.status as NotificationStatus["status"], delivered_at: iso(n.delivered_at) }));
}
