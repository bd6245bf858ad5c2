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

export async function approvalQueue(): Promise<{ pending: PendingApprovalItem[]; decided: DecidedApprovalItem[]; now: string }> {
  const [pending, decided] = await Promise.all([pendingApprovals(), decidedApprovals()]);
  return { pending, decided, now: new Date().toISOString() };
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
