/**
 * The tool inventory table: its definition (filters with their options from the database) and its
 * keyset query.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import type { TableDefinition, TableState, Page } from "./table/definition.ts";
import { containsPattern, runKeyset, type KeysetSource } from "./table/keyset.ts";

export interface ToolRow {
  id: string;
  kind: "tool" | "resource" | "prompt";
  server: string;
  /** The rest of the item's key (a prompt's is `prompt:<name>`): lib/inventory/item-key.ts. */
  name: string;
  title: string | null;
  status: "pending" | "approved" | "rejected";
  effect: string | null;
  risk: string | null;
  labels: string[];
  /** True when effect/risk/labels are Mandate's suggestion, not an approved classification. */
  suggested: boolean;
  changeFlag: string | null;
  blocked: boolean;
  callCount: number;
  lastSeenAt: string;
}

const opts = (xs: string[]) => xs.map((x) => ({ value: x, label: x.replace("_", " ") }));
const EFFECT = `COALESCE(t.effect, t.suggestion->>'effect')`;
const RISK = `COALESCE(t.risk, t.suggestion->>'risk')`;
const LABELS = `(CASE WHEN t.status = 'approved' THEN t.labels ELSE ARRAY(SELECT jsonb_array_elements_text(COALESCE(t.suggestion->'labels', '[]'))) END)`;

export async function toolsTableDefinition(): Promise<TableDefinition> {
  const r = await getPool().query<{ servers: string[]; labels: string[] }>(
    `SELECT (SELECT COALESCE(array_agg(name ORDER BY name), '{}') FROM tool_servers) AS servers,
            (SELECT COALESCE(array_agg(DISTINCT l ORDER BY l), '{}') FROM tools t, unnest(${LABELS}) l) AS labels`,
  );
  return {
    id: "tools",
    filters: [
      { id: "server", label: "Server", kind: "select", options: opts(r.rows[0].servers) },
      { id: "kind", label: "Kind", kind: "select", options: opts(["tool", "resource", "prompt"]) },
      { id: "status", label: "Status", kind: "select", options: opts(["pending", "approved", "rejected", "blocked", "changed"]) },
      { id: "effect", label: "Effect", kind: "select", options: opts(["read", "write", "side_effect", "destructive"]) },
      { id: "risk", label: "Risk", kind: "select", options: opts(["low", "medium", "high", "critical"]) },
      { id: "labels", label: "Labels", kind: "multi", options: opts(r.rows[0].labels) },
    ],
    sorts: [
      { id: "name", label: "Tool", firstDir: "asc" },
      { id: "risk", label: "Risk" },
      { id: "calls", label: "Calls" },
      { id: "lastSeen", label: "Last seen" },
    ],
    defaultSort: { id: "name", dir: "asc" },
    search: { placeholder: "Search name, title, description" },
    pageSize: 50,
  };
}

const STATUS: Record<string, string> = {
  pending: "t.status = 'pending'",
  approved: "t.status = 'approved' AND t.blocked_at IS NULL",
  rejected: "t.status = 'rejected'",
  blocked: "t.blocked_at IS NOT NULL",
  changed: "t.change_flag IS NOT NULL",
};

export const toolsSource: KeysetSource = {
  select: `t.id, t.kind, s.name AS server, (CASE t.kind WHEN 'prompt' THEN 'prompt:' || t.name ELSE t.name END) AS name, t.title, t.status, ${EFFECT} AS effect, ${RISK} AS risk, ${LABELS} AS labels,
           t.change_flag, t.blocked_at, t.call_count, t.last_seen_at`,
  from: "tools t JOIN tool_servers s ON s.id = t.server_id",
  id: { expr: "t.id", cast: "uuid" },
  sorts: {
    name: { expr: "(s.name || '/' || t.name)", type: "text" },
    risk: { expr: `(CASE ${RISK} WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 WHEN 'critical' THEN 3 ELSE 4 END)`, type: "number" },
    calls: { expr: "t.call_count", type: "number" },
    lastSeen: { expr: "t.last_seen_at", type: "timestamp" },
  },
  filters: {
    server: (v, b) => `s.name = ${b(v[0])}`,
    kind: (v, b) => `t.kind = ${b(v[0])}`,
    status: (v) => STATUS[v[0]] ?? "TRUE",
    effect: (v, b) => `${EFFECT} = ${b(v[0])}`,
    risk: (v, b) => `${RISK} = ${b(v[0])}`,
    labels: (v, b) => `${LABELS} @> ${b(v)}::text[]`,
  },
  search: (q, b) => {
    const p = b(containsPattern(q));
    return `(t.name ILIKE ${p} OR s.name ILIKE ${p} OR t.title ILIKE ${p} OR t.description ILIKE ${p})`;
  },
};

/** toolsSource's columns (effect, risk and labels: the approved classification, else the suggestion). */
type ListedTool = Row<
  "tools",
  "id" | "kind" | "name" | "title" | "status" | "effect" | "risk" | "labels" | "change_flag" | "blocked_at" | "call_count" | "last_seen_at"
> & {
  server: Col<"tool_servers", "name">;
};

export async function listTools(state: TableState, pageSize: number): Promise<Page<ToolRow>> {
  const page = await runKeyset<ListedTool>(getPool(), toolsSource, state, pageSize);
  return {
    ...page,
    rows: page.rows.map((r) => ({
      id: r.id,
      kind: r.kind as ToolRow["kind"],
      server: r.server,
      name: r.name,
      title: r.title,
      status: r.status as ToolRow["status"],
      effect: r.effect,
      risk: r.risk,
      labels: r.labels ?? [],
      suggested: r.status !== "approved",
      changeFlag: r.change_flag,
      blocked: r.blocked_at !== null,
      callCount: Number(r.call_count),
      lastSeenAt: r.last_seen_at.toISOString(),
    })),
  };
}
