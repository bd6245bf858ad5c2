/**
 * The approvals queue as the console shows it: each pending approval with what it would let through
 * (tool, redacted arguments, reasons) and what happened before this step in its session (the last
 * decisions and the data labels the session had); and the recently decided ones with who and when.
 */
import { getPool } from "../db/pool.ts";
import { effectiveStatus } from "../approvals/view.ts";
import { DECISION } from "../audit/entries/index.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";

export interface ContextStep {
  step: number;
  tool: string;
  outcome: string;
  at: string;
  policy: string | null;
}

export interface PendingApprovalItem {
  id: string;
  sessionId: string;
  step: number;
  agent: string;
  tool: string;
  reasons: Array<{ policy: string; message: string }>;
  createdAt: string;
  expiresAt: string;
  arguments: unknown;
  labelsBefore: string[];
  initiator: string | null;
  delegationChain: string[];
  context: ContextStep[];
}

export interface DecidedApprovalItem {
  id: string;
  sessionId: string;
  step: number;
  agent: string;
  tool: string;
  status: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  createdAt: string;
  expiresAt: string;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** An approval, its agent's name and the data of the decision that asked for it. */
const FROM = `approvals ap
       LEFT JOIN agents a ON a.id = ap.agent_id
       LEFT JOIN LATERAL (SELECT data FROM audit_entries WHERE decision_id = ap.decision_id AND kind = 'decision' LIMIT 1) d ON true`;

/** What these pages read of the decision entry's `data` (docs/audit-format.md; every format version has these). */
interface DecisionDataRead {
  arguments?: unknown;
  session?: { labels_before?: string[]; initiator?: string | null };
  delegation?: { chain?: Array<{ name?: string }> } | null;
}
type ApprovalRow = Row<"approvals", "id" | "session_id" | "step" | "tool" | "created_at" | "expires_at"> & { agent: Col<"agents", "name"> | null };
type DecidedRow = ApprovalRow & Row<"approvals", "status" | "decided_by" | "decided_at" | "comment">;
type WithDecision = WithJson<Row<"approvals", "reasons">, { reasons: PendingApprovalItem["reasons"] | null }> & { data: DecisionDataRead | null };
type ContextRow = { step: number; tool: string; outcome: string; created_at: string; policy: string | null };

const common = (x: ApprovalRow) => ({
  id: x.id,
  sessionId: x.session_id,
  step: x.step,
  agent: x.agent ?? "?",
  tool: x.tool,
});

function toDecided(x: DecidedRow): DecidedApprovalItem {
  return {
    ...common(x),
    status: effectiveStatus(x.status, x.expires_at),
    decidedBy: x.decided_by,
    decidedAt: iso(x.decided_at),
    comment: x.comment,
    createdAt: iso(x.created_at)!,
    expiresAt: iso(x.expires_at)!,
  };
}

export async function pendingApprovals(limit = 100): Promise<PendingApprovalItem[]> {
  const r = await getPool().query<ApprovalRow & WithDecision & { context: ContextRow[] | null }>(
    `SELECT ap.id, ap.session_id, ap.step, a.name AS agent, ap.tool, ap.reasons, ap.created_at, ap.expires_at, d.data,
            (SELECT COALESCE(json_agg(x ORDER BY x.step), '[]') FROM (
               SELECT e.step, e.tool, e.outcome, e.created_at, ${DECISION.firstReasonPolicy.text("e")} AS policy
                 FROM audit_entries e
                WHERE e.session_id = ap.session_id AND e.step < ap.step AND e.kind = 'decision'
                ORDER BY e.step DESC LIMIT 5) x) AS context
       FROM ${FROM}
      WHERE ap.status = 'pending' AND ap.expires_at > now()
      ORDER BY ap.expires_at, ap.id LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => ({
    ...common(x),
    reasons: Array.isArray(x.reasons) ? x.reasons : [],
    createdAt: iso(x.created_at)!,
    expiresAt: iso(x.expires_at)!,
    arguments: x.data?.arguments ?? null,
    labelsBefore: x.data?.session?.labels_before ?? [],
    initiator: x.data?.session?.initiator ?? null,
    delegationChain: (x.data?.delegation?.chain ?? []).map((c) => c.name ?? "?"),
    context: (x.context ?? []).map((c) => ({
      step: c.step,
      tool: c.tool,
      outcome: c.outcome,
      at: iso(c.created_at)!,
      policy: c.policy ?? null,
    })),
  }));
}

export async function decidedApprovals(limit = 20): Promise<DecidedApprovalItem[]> {
  const r = await getPool().query<DecidedRow>(
    `SELECT ap.id, ap.session_id, ap.step, a.name AS agent, ap.tool, ap.status, ap.decided_by, ap.decided_at, ap.comment, ap.created_at, ap.expires_at
       FROM approvals ap LEFT JOIN agents a ON a.id = ap.agent_id
      WHERE ap.status <> 'pending' OR ap.expires_at <= now()
      ORDER BY COALESCE(ap.decided_at, ap.expires_at) DESC, ap.id LIMIT $1`,
    [limit],
  );
  return r.rows.map(toDecided);
}

/**
 * The approvals of these ids that are no longer pending (decided, used or expired): the console keeps
 * an item it shows in place and says what became of it, even when it is not among the recent ones.
 */
export async function resolvedApprovals(ids: string[]): Promise<DecidedApprovalItem[]> {
  if (!ids.length) return [];
  const r = await getPool().query<DecidedRow>(
    `SELECT ap.id, ap.session_id, ap.step, a.name AS agent, ap.tool, ap.status, ap.decided_by, ap.decided_at, ap.comment, ap.created_at, ap.expires_at
       FROM approvals ap LEFT JOIN agents a ON a.id = ap.agent_id
      WHERE ap.id = ANY($1::uuid[]) AND (ap.status <> 'pending' OR ap.expires_at <= now())`,
    [ids],
  );
  return r.rows.map(toDecided);
}

export interface ApprovalQueue {
  pending: PendingApprovalItem[];
  decided: DecidedApprovalItem[];
  /** Of the `watch` ids asked about, those no longer pending. */
  watched: DecidedApprovalItem[];
  now: string;
}

export async function approvalQueue(watch: string[] = []): Promise<ApprovalQueue> {
  const [pending, decided, watched] = await Promise.all([pendingApprovals(), decidedApprovals(), resolvedApprovals(watch)]);
  return { pending, decided, watched, now: new Date().toISOString() };
}

export interface PendingCount {
  pending: number;
  /** The most recently created pending approval (what a browser notification names). */
  newest: { id: string; tool: string; agent: string; createdAt: string } | null;
}

/** The number of approvals waiting for a decision, for the navigation's badge (index approvals_status_expires_at_idx). */
export async function pendingApprovalCount(): Promise<PendingCount> {
  const r = await getPool().query<{ n: string; id: string | null; tool: string | null; agent: string | null; created_at: string | null }>(
    `SELECT c.n, x.id, x.tool, x.agent, x.created_at
       FROM (SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > now()) c
       LEFT JOIN LATERAL (SELECT ap.id, ap.tool, a.name AS agent, ap.created_at
                            FROM approvals ap LEFT JOIN agents a ON a.id = ap.agent_id
                           WHERE ap.status = 'pending' AND ap.expires_at > now()
                           ORDER BY ap.created_at DESC, ap.id DESC LIMIT 1) x ON true`,
  );
  const x = r.rows[0];
  return {
    pending: Number(x?.n ?? 0),
    newest: x?.id ? { id: x.id, tool: x.tool ?? "?", agent: x.agent ?? "?", createdAt: iso(x.created_at)! } : null,
  };
}

/** One approval with its context, whatever its status (the page an approval notification links to). */
export async function approvalById(
  id: string,
): Promise<(DecidedApprovalItem & { reasons: PendingApprovalItem["reasons"]; arguments: unknown; labelsBefore: string[] }) | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const r = await getPool().query<DecidedRow & WithDecision>(
    `SELECT ap.*, a.name AS agent, d.data FROM ${FROM}
      WHERE ap.id = $1`,
    [id],
  );
  const x = r.rows[0];
  if (!x) return null;
  return {
    ...toDecided(x),
    reasons: Array.isArray(x.reasons) ? x.reasons : [],
    arguments: x.data?.arguments ?? null,
    labelsBefore: x.data?.session?.labels_before ?? [],
  };
}
