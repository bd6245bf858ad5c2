/**
 * The console's global search: one box that takes any id or fragment and finds what it names — a
 * session (any substring of its id), a decision or an approval (the whole id or a prefix of 4+ hex
 * digits), an agent (name or id), a tool (`server/name`) and, for admins, a user (email). Every query is
 * indexed or on a small table, and all of them run in one read-only transaction with a statement timeout,
 * so a search costs at most SEARCH_TIMEOUT_MS however large the history is:
 *
 * - sessions: `id ILIKE '%frag%'` on the trigram GIN index sessions_id_trgm_idx (pg_trgm) for fragments of
 *   3+ characters; shorter text only matches a whole session id (primary key). At most PER_KIND + 1 rows
 *   are read, in no order (an ORDER BY would read every match), then sorted by last activity.
 * - decisions: a range on audit_entries.decision_id (btree) — a uuid prefix is a range of uuids.
 * - approvals: the same range on approvals' primary key.
 * - agents, tools, users: ILIKE on tables of hundreds or thousands of rows.
 *
 * Viewers and analysts see what they can see elsewhere in the console (everything but users).
 */
import { z } from "zod";
import type pg from "pg";
import { withTransaction } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import type { Role } from "../identity/credential-cache.ts";
import { containsPattern } from "./table/keyset.ts";
import { iso } from "./format.ts";

export const SEARCH_TIMEOUT_MS = 2_000;
export const PER_KIND = 20;
/** Session ids are searched by substring from this many characters on (pg_trgm's trigrams). */
export const MIN_SUBSTRING = 3;

export const searchQuerySchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, "type an id, a fragment of one, an agent, a tool or an email")
      .max(200, "at most 200 characters")
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters"),
  );

export type SearchKind = "session" | "decision" | "approval" | "agent" | "tool" | "user";
export const KIND_LABELS: Record<SearchKind, string> = {
  session: "Sessions",
  decision: "Decisions",
  approval: "Approvals",
  agent: "Agents",
  tool: "Tools",
  user: "Users",
};

export interface SearchHit {
  kind: SearchKind;
  /** What is shown (the id, name, tool key or email). */
  label: string;
  /** A second line: context (agent, status, time). */
  detail: string;
  /** When the thing happened or was last active (ISO), if it has a time. */
  at: string | null;
  href: string;
  /** The query is this thing's whole id, name, key or email. */
  exact: boolean;
}

export interface SearchResult {
  query: string;
  hits: SearchHit[];
  /** Kinds with more matches than shown (PER_KIND). */
  truncated: SearchKind[];
  /** Where to go at once: the only match, or the only exact match; null when there is a choice or nothing. */
  jumpTo: string | null;
  /** The search ran into SEARCH_TIMEOUT_MS (results may be incomplete). */
  timedOut: boolean;
  durationMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid prefix (4+ hex digits, dashes where a uuid has them) as the range of uuids it covers; else null. */
export function uuidPrefixRange(q: string): { lo: string; hi: string } | null {
  const lower = q.toLowerCase();
  const hex = lower.replace(/-/g, "");
  if (!/^[0-9a-f]{4,32}$/.test(hex)) return null;
  // Dashes only where a uuid has them (8-4-4-4-12).
  const dashed = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  const lo = dashed(hex.padEnd(32, "0"));
  if (lower.includes("-") && !lo.startsWith(lower)) return null;
  return { lo, hi: dashed(hex.padEnd(32, "f")) };
}

const enc = encodeURIComponent;

async function sessions(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  // The whole id (primary key) first, so an exact id is found however many ids contain it.
  const substring =
    q.length >= MIN_SUBSTRING
      ? `UNION ALL (SELECT id, agent_id, status, step_count, last_activity_at FROM sessions WHERE id ILIKE $2 AND id <> $1 LIMIT ${PER_KIND + 1})`
      : "";
  const r = await c.query<Row<"sessions", "id" | "status" | "step_count" | "last_activity_at"> & { agent: Col<"agents", "name"> | null }>(
    `SELECT s.id, s.status, s.step_count, s.last_activity_at, a.name AS agent
       FROM ((SELECT id, agent_id, status, step_count, last_activity_at FROM sessions WHERE id = $1) ${substring}) s
       LEFT JOIN agents a ON a.id = s.agent_id`,
    q.length >= MIN_SUBSTRING ? [q, containsPattern(q)] : [q],
  );
  return r.rows
    .sort((a, b) => b.last_activity_at.getTime() - a.last_activity_at.getTime())
    .map((s) => ({
      kind: "session",
      label: s.id,
      detail: `${s.agent ?? "unknown agent"} · ${s.step_count} steps · ${s.status}`,
      at: iso(s.last_activity_at),
      href: `/sessions/${enc(s.id)}`,
      exact: s.id === q,
    }));
}

async function decisions(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  const range = uuidPrefixRange(q);
  if (!range) return [];
  const r = await c.query<Row<"audit_entries", "decision_id" | "session_id" | "step" | "tool" | "outcome" | "created_at">>(
    `SELECT decision_id, session_id, step, tool, outcome, created_at FROM audit_entries
      WHERE decision_id BETWEEN $1::uuid AND $2::uuid AND kind = 'decision'
      ORDER BY decision_id LIMIT ${PER_KIND + 1}`,
    [range.lo, range.hi],
  );
  return r.rows.map((d) => ({
    kind: "decision",
    label: d.decision_id!,
    detail: `${d.outcome ?? ""} · ${d.tool ?? ""} · session ${d.session_id ?? "?"} step ${d.step ?? "?"}`,
    at: iso(d.created_at),
    href: `/audit?decision=${enc(d.decision_id!)}`,
    exact: UUID.test(q) && d.decision_id === q.toLowerCase(),
  }));
}

async function approvals(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  const range = uuidPrefixRange(q);
  if (!range) return [];
  const r = await c.query<Row<"approvals", "id" | "tool" | "status" | "session_id" | "created_at">>(
    `SELECT id, tool, status, session_id, created_at FROM approvals WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT ${PER_KIND + 1}`,
    [range.lo, range.hi],
  );
  return r.rows.map((a) => ({
    kind: "approval",
    label: a.id,
    detail: `${a.status} · ${a.tool} · session ${a.session_id}`,
    at: iso(a.created_at),
    href: `/approvals/${enc(a.id)}`,
    exact: UUID.test(q) && a.id === q.toLowerCase(),
  }));
}

async function agents(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  const r = await c.query<Row<"agents", "id" | "name" | "team" | "last_seen_at" | "suspended_at">>(
    `SELECT id, name, team, last_seen_at, suspended_at FROM agents
      WHERE name ILIKE $1 OR ($2::text IS NOT NULL AND id = $2::uuid) ORDER BY name = $3 DESC, name LIMIT ${PER_KIND + 1}`,
    [containsPattern(q), UUID.test(q) ? q : null, q],
  );
  return r.rows.map((a) => ({
    kind: "agent",
    label: a.name,
    detail: `${a.team ? `team ${a.team}` : "agent"}${a.suspended_at ? " · suspended" : ""}`,
    at: iso(a.last_seen_at),
    href: `/agents/${enc(a.name)}`,
    exact: a.name === q || a.id === q.toLowerCase(),
  }));
}

async function tools(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  const r = await c.query<Row<"tools", "name" | "status" | "risk" | "last_seen_at"> & { server: Col<"tool_servers", "name"> }>(
    `SELECT s.name AS server, t.name, t.status, t.risk, t.last_seen_at
       FROM tools t JOIN tool_servers s ON s.id = t.server_id
      WHERE (s.name || '/' || t.name) ILIKE $1 ORDER BY (s.name || '/' || t.name) = $2 DESC, s.name, t.name LIMIT ${PER_KIND + 1}`,
    [containsPattern(q), q],
  );
  return r.rows.map((t) => ({
    kind: "tool",
    label: `${t.server}/${t.name}`,
    detail: `${t.status}${t.risk ? ` · ${t.risk} risk` : ""}`,
    at: iso(t.last_seen_at),
    href: `/tools/${enc(t.server)}/${enc(t.name)}`,
    exact: `${t.server}/${t.name}` === q,
  }));
}

async function users(c: pg.PoolClient, q: string): Promise<SearchHit[]> {
  const r = await c.query<Row<"users", "email" | "role" | "disabled_at" | "last_login_at">>(
    `SELECT email, role, disabled_at, last_login_at FROM users WHERE email ILIKE $1 ORDER BY lower(email) = lower($2) DESC, email LIMIT ${PER_KIND + 1}`,
    [containsPattern(q), q],
  );
  return r.rows.map((u) => ({
    kind: "user",
    label: u.email,
    detail: `${u.role}${u.disabled_at ? " · disabled" : ""}`,
    at: iso(u.last_login_at),
    href: `/users`,
    exact: u.email.toLowerCase() === q.toLowerCase(),
  }));
}

/** Where a search goes at once: its only exact match, else its only match; null otherwise. */
export function jumpTarget(hits: SearchHit[]): string | null {
  const exact = hits.filter((h) => h.exact);
  if (exact.length === 1) return exact[0].href;
  return hits.length === 1 ? hits[0].href : null;
}

/** Searches everything `role` may see for `query` (validate it with searchQuerySchema first). */
export async function searchConsole(query: string, role: Role): Promise<SearchResult> {
  const started = performance.now();
  const finders: Array<[SearchKind, (c: pg.PoolClient, q: string) => Promise<SearchHit[]>]> = [
    ["session", sessions],
    ["decision", decisions],
    ["approval", approvals],
    ["agent", agents],
    ["tool", tools],
  ];
  if (role === "admin") finders.push(["user", users]);
  const hits: SearchHit[] = [];
  const truncated: SearchKind[] = [];
  let timedOut = false;
  try {
    await withTransaction(async (c) => {
      await c.query(`SET TRANSACTION READ ONLY`);
      await c.query(`SET LOCAL statement_timeout = ${SEARCH_TIMEOUT_MS}`);
      for (const [kind, find] of finders) {
        const found = await find(c, query);
        if (found.length > PER_KIND) truncated.push(kind);
        hits.push(...found.slice(0, PER_KIND));
      }
    });
  } catch (err) {
    // 57014: query_canceled (the statement timeout); what was found before it is shown.
    if ((err as { code?: string }).code !== "57014") throw err;
    timedOut = true;
  }
  return {
    query,
    hits,
    truncated,
    jumpTo: timedOut ? null : jumpTarget(hits),
    timedOut,
    durationMs: Math.round(performance.now() - started),
  };
}
