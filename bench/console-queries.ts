/**
 * p95 of the console's read queries on a seeded history (run `npm run seed:history` first):
 * the session list (filters, sorts, deep keyset pages), the timeline of the longest session (first,
 * middle and last windows, filtered), and the audit explorer (selective and non-selective filters,
 * deep keyset pages), the global search, the drawers (an audit entry, an approval), "what needs me now",
 * the approvals queue and an agent's activity, plus the dashboard's scans. Target: every query under
 * 300 ms at p95.
 *
 *   npx tsx bench/console-queries.ts [--iterations 40]
 */
import { connectDatabase, prepareDatabase } from "../server/bootstrap.ts";
import { closePool, getPool } from "../lib/db/pool.ts";
import type { Row } from "../lib/db/rows.ts";
import { parseScriptArgs } from "../lib/util/command-line.ts";
import { getAuditEntry, listAuditEntries } from "../lib/audit/queries.ts";
import { searchConsole } from "../lib/console/search.ts";
import { approvalById, approvalQueue } from "../lib/sessions/queries-approvals.ts";
import type { AuditFilters } from "../lib/audit/queries-filters.ts";
import { getSession, listNeedsMe, listSessions } from "../lib/sessions/queries.ts";
import { sessionFacets } from "../lib/sessions/facets.ts";
import { auditFacets } from "../lib/audit/facets.ts";
import { sessionCallGroups, timelineSteps } from "../lib/sessions/queries-timeline.ts";
import { decisionFacts, firstDecisionAt, lastDecisionAt, sessionsStarted } from "../lib/analytics/dashboard-queries.ts";
import type { TableState } from "../lib/console/table/definition.ts";

const { values: opt } = parseScriptArgs(
  `usage: npm run bench:console -- [--iterations 40]

p50/p95 of the console's read queries on a seeded history (npm run seed:history first), on the database
of DATABASE_URL or the embedded one of MANDATE_DATA_DIR (default ./.mandate).`,
  { iterations: { type: "string", default: "40" } },
);
const N = Number(opt.iterations);
const TARGET_MS = 300;

interface Result {
  name: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
}
const results: Result[] = [];

const pct = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function measure(name: string, fn: (i: number) => Promise<unknown>, n = N) {
  await fn(0); // warm the plan and the cache once; every measured run is counted
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  const r = { name, n, p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times) };
  results.push(r);
  process.stdout.write(
    `${name.padEnd(62)} n=${String(n).padStart(3)}  p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  ` +
      `max ${r.max.toFixed(1).padStart(7)} ms${r.p95 > TARGET_MS ? "  OVER TARGET" : ""}\n`,
  );
}

const state = (
  filters: Record<string, string[]> = {},
  sort = { id: "lastActivity", dir: "desc" as const },
  cursor: TableState["cursor"] = null,
  q = "",
): TableState => ({ sort, filters, q, cursor });

/** Walks `pages` keyset pages from the start and returns the cursors (to measure deep pages). */
async function cursorsOf(walk: (cursor: string | null) => Promise<{ next: string | null }>, pages: number): Promise<string[]> {
  const out: string[] = [];
  let c: string | null = null;
  for (let i = 0; i < pages; i++) {
    const p = await walk(c);
    if (!p.next) break;
    out.push(p.next);
    c = p.next;
  }
  return out;
}

async function main() {
  const pool = getPool();
  const counts = (
    await pool.query<{ entries: number; decisions: number; sessions: number }>(
      `SELECT (SELECT count(*) FROM audit_entries) AS entries, (SELECT count(*) FROM audit_entries WHERE kind = 'decision') AS decisions, (SELECT count(*) FROM sessions) AS sessions`,
    )
  ).rows[0];
  console.log(
    `history: ${counts.sessions} sessions, ${counts.decisions} decisions, ${counts.entries} audit entries; ${N} runs per query; target p95 < ${TARGET_MS} ms\n`,
  );
  if (Number(counts.decisions) < 10_000)
    console.log("(small history: run `npm run seed:history -- --sessions 1000 --decisions 200000` first for meaningful figures)\n");
  const agents = (
    await pool.query<Row<"agents", "id" | "name">>(
      `SELECT a.id, a.name FROM agents a WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.agent_id = a.id) ORDER BY name`,
    )
  ).rows;
  const tools = (await pool.query<{ tool: string }>(`SELECT DISTINCT tool FROM sessions, unnest(tools_used) tool ORDER BY 1`)).rows.map((r) => r.tool);
  const long = (await pool.query<Row<"sessions", "id" | "step_count">>(`SELECT id, step_count FROM sessions ORDER BY step_count DESC LIMIT 1`)).rows[0];
  const sessions = (await pool.query<Row<"sessions", "id">>(`SELECT id FROM sessions ORDER BY random() LIMIT 50`)).rows.map((r) => r.id);
  const decisions = (
    await pool.query<Row<"audit_entries", "decision_id">>(
      `SELECT decision_id FROM audit_entries WHERE kind = 'decision' AND created_at > now() - interval '3 days' LIMIT 50`,
    )
  ).rows.map((r) => r.decision_id as string);
  const a = (i: number) => agents[i % agents.length].id;
  const t = (i: number) => tools[i % tools.length];

  // Sessions
  await measure("sessions: first page (last activity)", () => listSessions(state()));
  await measure("sessions: agent + had a deny", (i) => listSessions(state({ agent: [a(i)], outcome: ["denied"] })));
  await measure("sessions: labels pii+untrusted_content, active 7d", () => listSessions(state({ label: ["pii", "untrusted_content"], time: ["7d"] })));
  await measure("sessions: sorted by steps", () => listSessions(state({}, { id: "steps", dir: "desc" })));
  const sCursors = await cursorsOf((c) => listSessions(state({}, undefined, c ? { value: c, direction: "after" } : null)), 19);
  await measure(`sessions: deep pages (up to page ${sCursors.length + 1})`, (i) =>
    listSessions(state({}, undefined, { value: sCursors[i % sCursors.length], direction: "after" })),
  );

  await measure("sessions: facet counts (outcome, agent), no filter", () => sessionFacets(state()));
  await measure("sessions: facet counts, agent + had a deny", (i) => sessionFacets(state({ agent: [a(i)], outcome: ["denied"] })));

  // Timeline of the longest session
  const steps = Number(long.step_count);
  await measure(`timeline: ${steps}-step session, first 200 steps`, () => timelineSteps(long.id, 0, 200));
  await measure("timeline: windows across the whole session", (i) => timelineSteps(long.id, Math.floor(((i * 7919) % steps) / 200) * 200, 200));
  await measure("timeline: last window", () => timelineSteps(long.id, Math.max(0, steps - 200), 200));
  await measure("timeline: one tool's steps (graph edge click)", (i) => timelineSteps(long.id, 0, 200, { tool: t(i) }));
  await measure("graph: call groups of the session", () => sessionCallGroups(long.id));
  await measure("timeline: random sessions, first window", (i) => timelineSteps(sessions[i % sessions.length], 0, 200));

  // Audit explorer
  const audit = (f: AuditFilters, cursor: string | null = null) => listAuditEntries(f, { cursor: cursor ? { value: cursor, direction: "after" } : null });
  await measure("audit: no filter, first page", () => audit({}));
  await measure("audit: decisions denied (non-selective)", () => audit({ kind: ["decision"], outcome: ["deny"] }));
  await measure("audit: tool (selective)", (i) => audit({ tool: [t(i)] }));
  await measure("audit: agent + tool + deny", (i) => audit({ agent: a(i), tool: [t(i + 3)], outcome: ["deny"] }));
  await measure("audit: rare outcome (failed calls)", () => audit({ outcome: ["error"] }));
  await measure("audit: admin actions", () => audit({ kind: ["admin"] }));
  await measure("audit: approvals by one approver", () => audit({ kind: ["approval"], actor: "user:sam.analyst@example.com" }));
  await measure("audit: session (the longest)", () => audit({ session: long.id }));
  await measure("audit: random sessions", (i) => audit({ session: sessions[i % sessions.length] }));
  await measure("audit: decision id", (i) => audit({ decision: decisions[i % decisions.length] }));
  const day = 86_400_000;
  await measure("audit: one hour, 3 days ago", (i) =>
    audit({ from: new Date(Date.now() - 3 * day - i * 3_600_000).toISOString(), to: new Date(Date.now() - 3 * day - (i - 1) * 3_600_000).toISOString() }),
  );
  await measure("audit: facet counts (outcome, agent, tool), no filter", () => auditFacets({}));
  await measure("audit: facet counts, decisions denied", () => auditFacets({ kind: ["decision"], outcome: ["deny"] }));
  await measure("audit: facet counts, one session", (i) => auditFacets({ session: sessions[i % sessions.length] }));
  await measure("audit: facet counts, rare outcome (failed calls)", () => auditFacets({ outcome: ["error"] }));
  const deep = await cursorsOf((c) => audit({}, c), 400);
  await measure(`audit: deep keyset pages, no filter (to page ${deep.length + 1})`, (i) => audit({}, deep[(deep.length - 1 - i * 7) % deep.length]));
  const deepDeny = await cursorsOf((c) => audit({ kind: ["decision"], outcome: ["deny"] }, c), 200);
  await measure(`audit: deep pages of denies (to page ${deepDeny.length + 1})`, (i) =>
    audit({ kind: ["decision"], outcome: ["deny"] }, deepDeny[(deepDeny.length - 1 - i * 5) % deepDeny.length]),
  );
  const deepTool = await cursorsOf((c) => audit({ tool: ["web/fetch_url"] }, c), 200);
  if (deepTool.length)
    await measure(`audit: deep pages of one tool (to page ${deepTool.length + 1})`, (i) =>
      audit({ tool: ["web/fetch_url"] }, deepTool[(deepTool.length - 1 - i * 3) % deepTool.length]),
    );

  // Global search (any id or fragment), drawers, triage, approvals, an agent's page
  const entries = (await pool.query<{ chain_id: string; seq: string }>(`SELECT chain_id, seq FROM audit_entries ORDER BY created_at DESC LIMIT 50`)).rows;
  const approvals = (await pool.query<{ id: string }>(`SELECT id FROM approvals ORDER BY created_at DESC LIMIT 50`)).rows.map((r) => r.id);
  const users = (await pool.query<{ email: string }>(`SELECT email FROM users ORDER BY email`)).rows.map((r) => r.email);
  await measure("search: a session id fragment (substring)", (i) => searchConsole(sessions[i % sessions.length].slice(3, 11), "admin"));
  await measure("search: a decision id prefix", (i) => searchConsole(decisions[i % decisions.length].slice(0, 8), "admin"));
  await measure("search: an agent, tool or user name", (i) =>
    searchConsole([agents[i % agents.length].name, t(i), users[i % users.length]?.split("@")[0] ?? "admin"][i % 3], "admin"),
  );
  await measure("drawer: an audit entry", (i) => getAuditEntry(entries[i % entries.length].chain_id, Number(entries[i % entries.length].seq)));
  if (approvals.length) await measure("drawer: an approval", (i) => approvalById(approvals[i % approvals.length]));
  await measure("session page: header of a random session", (i) => getSession(sessions[i % sessions.length]));
  await measure("triage: what needs me now (risk score)", () => listNeedsMe(state({}, { id: "risk", dir: "desc" })));
  await measure("approvals: the queue", () => approvalQueue());
  const week = 7 * 86_400_000;
  await measure("agent page: activity over 7 days", async (i) => {
    const id = a(i);
    const to = new Date();
    const from = new Date(to.getTime() - week);
    await Promise.all([decisionFacts(from, to, 6 * 3_600_000, id), sessionsStarted(id, from, to, 6 * 3_600_000), lastDecisionAt(id)]);
  });

  // Dashboard
  const now = Date.now();
  await measure("dashboard: decision facts, 24 h", () => decisionFacts(new Date(now - day), new Date(now), 3_600_000), 20);
  await measure("dashboard: first decision (all time)", () => firstDecisionAt());
  await measure("dashboard: decision facts, 7 days", () => decisionFacts(new Date(now - 7 * day), new Date(now), 6 * 3_600_000), 10);

  const worst = results.reduce((m, r) => (r.p95 > m.p95 ? r : m), results[0]);
  const over = results.filter((r) => r.p95 > TARGET_MS && !r.name.startsWith("dashboard"));
  const verdict = over.length
    ? `${over.length} list/timeline/audit queries OVER ${TARGET_MS} ms`
    : `all list, timeline and audit queries under ${TARGET_MS} ms at p95`;
  console.log(`\nworst p95: ${worst.p95.toFixed(1)} ms (${worst.name}); ${verdict}`);
  process.exitCode = over.length ? 1 : 0;
}

const db = await connectDatabase((m) => process.stderr.write(`${m}\n`));
try {
  await prepareDatabase({ seed: false });
  await main();
} finally {
  await closePool().catch(() => {});
  if (db.embedded) await db.embedded.stop().catch(() => {});
}
