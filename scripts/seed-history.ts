/**
 * Seeds a large, realistic history: sessions with decisions, outcome events, delegations (human →
 * agent → sub-agent), approvals (approved, denied, expired, pending) and a few admin actions — made by
 * the builders of lib/audit/entries and committed through lib/audit/bulk-writer.ts (the production
 * commit path, mandate_commit) on a chain of its own, so every entry matches its schema and `mandate
 * audit verify` passes afterwards. Batch inserts; ~1 minute for 200,000 decisions.
 *
 *   npm run seed:history -- --sessions 1000 --decisions 200000 [--days 14] [--long 10000] [--seed 42]
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { announceCredentials, connectDatabase, prepareDatabase } from "../server/bootstrap.ts";
import { closePool, getPool } from "../lib/db/pool.ts";
import type { Row } from "../lib/db/rows.ts";
import { parseScriptArgs } from "../lib/util/command-line.ts";
import { env } from "../lib/env.ts";
import { writeCheckpoint } from "../lib/audit/checkpoints.ts";
import { verifyChain } from "../lib/audit/verify.ts";
import { AuditBulkWriter } from "../lib/audit/bulk-writer.ts";
import { AGENT_CREATE_ENTRY, entryAt } from "../lib/audit/entries/index.ts";
import { redactArguments } from "../lib/redaction/index.ts";
import { argumentsHash } from "../lib/decisions/decide.ts";
import {
  APPROVERS,
  DEFAULT_PERSONA,
  EXTRA_AGENTS,
  PERSONAS,
  argumentsFor,
  pick,
  seededRandom,
  simulateDecision,
  stepCounts,
  weighted,
  type SimTool,
} from "../lib/analytics/history-sim.ts";
import { SessionSim, type Agent } from "../lib/analytics/history-session.ts";

const { values: opt } = parseScriptArgs(
  `usage: npm run seed:history -- [--sessions 1000] [--decisions 200000] [--days 14] [--long 10000] [--seed 42]

Seeds a large, realistic history (sessions, decisions, outcomes, delegations, approvals) into the
database of DATABASE_URL, or the embedded one of MANDATE_DATA_DIR (default ./.mandate).`,
  {
    sessions: { type: "string", default: "1000" },
    decisions: { type: "string", default: "200000" },
    days: { type: "string", default: "14" },
    long: { type: "string", default: "10000" },
    seed: { type: "string", default: "42" },
  },
);
const SESSIONS = Number(opt.sessions);
const DECISIONS = Number(opt.decisions);
const DAYS = Number(opt.days);
const LONG = Number(opt.long);
const r = seededRandom(Number(opt.seed));
const ACTOR = "system:seed-history";

async function loadWorld(): Promise<{ agents: Map<string, Agent>; tools: Map<string, SimTool> }> {
  const pool = getPool();
  const agents = new Map<string, Agent>();
  for (const a of EXTRA_AGENTS) {
    await pool.query(
      `INSERT INTO agents (id, name, team, description, environment, created_at) VALUES ($1, $2, $3, $4, 'demo', now() - interval '30 days') ON CONFLICT (name) DO NOTHING`,
      [randomUUID(), a.name, a.team, a.description],
    );
  }
  const rows = await pool.query<{ id: string; name: string; key_id: string | null }>(
    `SELECT a.id, a.name, (SELECT k.key_id FROM agent_keys k WHERE k.agent_id = a.id ORDER BY k.created_at LIMIT 1) AS key_id
       FROM agents a WHERE a.suspended_at IS NULL`,
  );
  for (const a of rows.rows) agents.set(a.name, { id: a.id, name: a.name, keyId: a.key_id ?? "mnd_ak_seed-history" });
  const tools = new Map<string, SimTool>();
  const t = await pool.query<{ key: string } & Row<"tools", "status" | "effect" | "risk" | "labels" | "blocked_at">>(
    `SELECT s.name || '/' || t.name AS key, t.status, t.effect, t.risk, t.labels, t.blocked_at FROM tools t JOIN tool_servers s ON s.id = t.server_id`,
  );
  for (const x of t.rows)
    tools.set(x.key, { key: x.key, status: x.status, effect: x.effect, risk: x.risk, labels: x.labels ?? [], blocked: x.blocked_at !== null });
  return { agents, tools };
}

/** A binary min-heap of sessions by the time of their next step. */
class Heap {
  private a: SessionSim[] = [];
  get size() {
    return this.a.length;
  }
  push(s: SessionSim) {
    const a = this.a;
    a.push(s);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p].nextAt() <= a[i].nextAt()) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): SessionSim {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1,
          rr = l + 1;
        let m = i;
        if (l < a.length && a[l].nextAt() < a[m].nextAt()) m = l;
        if (rr < a.length && a[rr].nextAt() < a[m].nextAt()) m = rr;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

async function main() {
  const t0 = Date.now();
  const now = Date.now();
  const { agents, tools } = await loadWorld();
  const pool = getPool();
  const w = new AuditBulkWriter(`seed-history:${hostname()}`, 4000);
  const chainId = w.chainId;
  const start = now - DAYS * 86_400_000;
  for (const a of EXTRA_AGENTS) {
    const ag = agents.get(a.name);
    if (ag)
      await w.add(
        entryAt(
          AGENT_CREATE_ENTRY.entry({ actor: ACTOR, agent_id: ag.id, data: { agent_id: ag.id, name: a.name, team: a.team } }),
          new Date(start - 3_000_000).toISOString(),
        ),
      );
  }
  const names = [...agents.keys()].filter((n) => n !== "research-subagent");
  const counts = stepCounts(r, SESSIONS, DECISIONS, LONG);
  const heap = new Heap();
  counts.forEach((steps, i) => {
    const owner = agents.get(
      i === 0 && steps === LONG
        ? "support-assistant"
        : weighted(r, Object.fromEntries(names.map((n) => [n, n === "support-assistant" ? 4 : n === "ops-agent" ? 3 : 1.5])) as Record<string, number>),
    )!;
    const s = new SessionSim({ r, index: i, steps, owner, sub: agents.get("research-subagent") ?? null, start, now, activeNow: i > 0 && r() < 0.02 });
    heap.push(s);
  });
  const approvals: unknown[] = [];
  const delegations: unknown[] = [];
  const toolCalls = new Map<string, number>();
  let decisions = 0;
  while (heap.size) {
    const s = heap.pop();
    const at = s.nextAt();
    if (s.step === 0) for (const d of s.delegationEntries(delegations)) await w.add(d);
    const call = s.nextCall((persona) => weighted(r, PERSONAS[persona] ?? DEFAULT_PERSONA));
    const tool = tools.get(call.toolKey);
    const args = call.args ?? argumentsFor(r, call.toolKey);
    const sim = simulateDecision({ tool, toolKey: call.toolKey, sessionLabels: s.labels, scopes: call.scopes, approvalGranted: !!call.approvalId });
    const { redacted, redactions } = redactArguments(args, { sensitiveArgs: [] });
    const out = s.record(at, call, sim, tool, redacted, redactions, argumentsHash(args), approvals as Array<Record<string, unknown>>, args, pick(r, APPROVERS));
    for (const e of out) await w.add(e.entry, e.event);
    decisions++;
    if (sim.outcome === "allow") toolCalls.set(call.toolKey, (toolCalls.get(call.toolKey) ?? 0) + 1);
    if (s.step < s.steps) heap.push(s);
    else {
      const end = s.finish(r, pick(r, APPROVERS));
      if (end) await w.add(end);
      await insertSession(s);
    }
    if (decisions % 20000 === 0) process.stderr.write(`  ${decisions} decisions, ${w.written} entries (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  await w.close();
  await insertRows(approvals, delegations, toolCalls);
  const v = await verifyChain(chainId);
  const cp = await writeCheckpoint(env().dataDir).catch(() => null);
  // Sessions count the approvals granted in them (decisions look up approved approvals only then).
  await pool.query(
    `UPDATE sessions s SET approvals_granted = a.n
       FROM (SELECT session_id, count(*)::int AS n FROM approvals WHERE status IN ('approved', 'used') GROUP BY session_id) a
      WHERE s.id = a.session_id AND s.approvals_granted <> a.n`,
  );
  const long = await pool.query<Row<"sessions", "id" | "step_count">>(`SELECT id, step_count FROM sessions ORDER BY step_count DESC LIMIT 1`);
  console.log(
    JSON.stringify(
      {
        chain: chainId,
        sessions: counts.length,
        decisions,
        entries: w.written,
        approvals: approvals.length,
        delegations: delegations.length,
        longest_session: long.rows[0],
        chain_verified: v.broken === null,
        checkpoint: cp?.id ?? null,
        seconds: (Date.now() - t0) / 1000,
      },
      null,
      2,
    ),
  );
}

async function insertSession(s: SessionSim) {
  const row = s.row();
  await getPool().query(
    `INSERT INTO sessions (id, agent_id, initiator, initiator_verified, step_count, tools_used, labels, status, terminated_at, terminated_reason,
                           terminated_by, started_at, last_activity_at, deny_count, approval_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`,
    row,
  );
}

async function insertRows(approvals: unknown[], delegations: unknown[], toolCalls: Map<string, number>) {
  const pool = getPool();
  for (let i = 0; i < approvals.length; i += 2000) {
    await pool.query(
      `INSERT INTO approvals (id, decision_id, session_id, step, agent_id, tool, args_hash, reasons, status, expires_at, decided_by, decided_at, comment, created_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, decision_id uuid, session_id text, step int, agent_id uuid, tool text, args_hash text,
            reasons jsonb, status text, expires_at timestamptz, decided_by text, decided_at timestamptz, comment text, created_at timestamptz)`,
      [JSON.stringify(approvals.slice(i, i + 2000))],
    );
  }
  for (let i = 0; i < delegations.length; i += 2000) {
    await pool.query(
      `INSERT INTO delegations (id, parent_id, session_id, subject, agent_id, chain, depth, scopes, audience, expires_at, revoked_at, created_at, created_by)
       SELECT id, parent_id, session_id, subject, agent_id, chain, depth, scopes, audience, expires_at, revoked_at, created_at, created_by
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, parent_id text, session_id text, subject text, agent_id uuid, chain jsonb, depth int,
              scopes text[], audience text, expires_at timestamptz, revoked_at timestamptz, created_at timestamptz, created_by text)`,
      [JSON.stringify(delegations.slice(i, i + 2000))],
    );
  }
  for (const [key, n] of toolCalls) {
    await pool.query(`UPDATE tools t SET call_count = call_count + $2 FROM tool_servers s WHERE s.id = t.server_id AND s.name || '/' || t.name = $1`, [key, n]);
  }
}

// Like the CLI: use the running node's database (or DATABASE_URL), or start the embedded one; on an empty
// database the demo seed (admin, agents, inventory, policy) runs first, as on a first `mandate start`.
const db = await connectDatabase((m) => process.stderr.write(`${m}\n`));
try {
  const creds = await prepareDatabase({ seed: true });
  if (creds) announceCredentials(creds, env().dataDir, "(the console of `npm start`)");
  await main();
} finally {
  await closePool().catch(() => {});
  if (db.embedded) await db.embedded.stop().catch(() => {});
}
