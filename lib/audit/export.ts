/**
 * Streamed export of a filtered audit view as CSV or JSONL. Pages through the log with the same
 * filters and keyset as the explorer (2,000 rows per query), yielding text chunks; the consumer pulls
 * the next chunk only when it has sent the previous one, so a million rows never sit in memory.
 */
import { getPool } from "../db/pool.ts";
import { DECIDED } from "./entries/index.ts";
import type { Row } from "../db/rows.ts";
import { auditKey, auditPageQuery, toAuditRow, type AuditListRow } from "./queries.ts";
import type { AuditFilters } from "./queries-filters.ts";

export type ExportFormat = "csv" | "jsonl";

export const CSV_COLUMNS = [
  "created_at",
  "chain_id",
  "seq",
  "kind",
  "action",
  "actor",
  "session_id",
  "step",
  "agent_id",
  "tool",
  "outcome",
  "decision_id",
  "reasons",
  "policy_version",
  "hash",
  "prev_hash",
  "data",
] as const;

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are JSON-encoded; what is left is a primitive
  let s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function reasonsOf(data: Record<string, unknown>): string {
  const listed = DECIDED.reasons.get(data);
  const reasons = Array.isArray(listed) ? (listed as Array<{ policy?: string; message?: string }>) : [];
  return reasons.map((r) => `${r.policy ?? ""}: ${r.message ?? ""}`).join("; ");
}

export function csvLine(r: AuditListRow): string {
  const cells = [
    r.createdAt,
    r.chainId,
    r.seq,
    r.kind,
    r.action,
    r.actor,
    r.sessionId,
    r.step,
    r.agentId,
    r.tool,
    r.outcome,
    r.decisionId,
    reasonsOf(r.data),
    (DECIDED.policyVersion.get(r.data) as string | undefined) ?? null,
    r.hash,
    r.prevHash,
    r.data,
  ];
  return cells.map(csvCell).join(",") + "\r\n";
}

/** One entry exactly as stored (the columns the hash covers, plus the hash), one per line. */
export function jsonlLine(r: AuditListRow): string {
  return (
    JSON.stringify({
      chain_id: r.chainId,
      seq: r.seq,
      prev_hash: r.prevHash,
      hash: r.hash,
      kind: r.kind,
      action: r.action,
      actor: r.actor,
      session_id: r.sessionId,
      step: r.step,
      agent_id: r.agentId,
      tool: r.tool,
      outcome: r.outcome,
      decision_id: r.decisionId,
      created_at: r.createdAt,
      data: r.data,
    }) + "\n"
  );
}

export async function* exportAudit(f: AuditFilters, format: ExportFormat, pageSize = 2000): AsyncGenerator<string, void> {
  if (format === "csv") yield CSV_COLUMNS.join(",") + "\r\n";
  let key: Array<string | number> | null = null;
  for (;;) {
    const q = auditPageQuery(f, key, true, pageSize);
    const res = await getPool().query<Row<"audit_entries">>(q.text, q.values);
    const rows = res.rows.slice(0, pageSize).map(toAuditRow);
    if (rows.length) yield rows.map(format === "csv" ? csvLine : jsonlLine).join("");
    if (res.rows.length <= pageSize) return;
    key = auditKey(rows[rows.length - 1]);
  }
}

export function exportFileName(format: ExportFormat, now = new Date()): string {
  return `mandate-audit-${now.toISOString().slice(0, 19).replace(/[:T]/g, "-")}.${format}`;
}
