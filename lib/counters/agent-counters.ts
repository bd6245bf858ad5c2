/**
 * Per-agent counters (issue 15 §3): allowed calls of an agent, and of an agent on one tool, in the last
 * minute and hour, across every data-plane process on one PostgreSQL.
 *
 * Each process counts its own allowed calls exactly, in memory, per second (a call is counted as it is
 * decided, before its commit, and uncounted if it ends up denied or conflicting: concurrent decisions in
 * one process see each other), and every SYNC_MS it upserts its changed per-second counts (absolute
 * values) into `agent_call_counts` and reads the rows the other processes changed since its last read.
 * A process therefore sees the others' calls at most S = 2 × SYNC_MS plus two round trips late, so
 * across P processes an agent can get at most L + (P − 1) × (the calls one process allows it in S)
 * calls in a window whose limit is L, and never more than P × L (each process alone never passes L).
 * docs/guarantees.md states it; test/gateway/loop-and-rate.test.ts checks it with two nodes.
 *
 * Windows: `minute` counts the current second and the 59 before, `hour` the current minute and the 59
 * before. If the counts could not be synchronised for STALE_MS, `stale()` is true and decisions whose
 * policy reads agent counters fail closed (lib/decisions/decide.ts).
 */
import { hash, randomUUID } from "node:crypto";
import { getPool } from "../db/pool.ts";
import { logger } from "../telemetry/log.ts";

export const SYNC_MS = 100;
export const STALE_MS = 5_000;
const OVERLAP_MS = 2_000;
const KEEP_SECONDS = 3_600 + 60;

/** A tool key as stored (a primary-key column, split on tabs here): long or tab-holding keys are hashed. */
const toolId = (k: string): string => (k.length > 200 || k.includes("\t") ? `sha256:${hash("sha256", k, "hex")}` : k);

export interface AgentCounterView {
  minute: number;
  hour: number;
  toolMinute: number;
}

/**
 * Per-second and per-minute counts of one key (an agent, or an agent on a tool): local and remote together.
 * `minute` and `hour` are running sums: each holds the sum of the buckets after its edge, and the edge moves
 * forward with the time asked about (a bucket leaving is subtracted once), so a view costs O(1) amortised
 * instead of a sum over 60 buckets. A time before the edge (a clock gone back) is summed in full.
 */
export class Window {
  secs = new Map<number, number>();
  mins = new Map<number, number>();
  private secSum = 0;
  private secEdge = -Infinity;
  private minSum = 0;
  private minEdge = -Infinity;

  add(second: number, n: number): void {
    this.secs.set(second, (this.secs.get(second) ?? 0) + n);
    if (second > this.secEdge) this.secSum += n;
    const m = Math.floor(second / 60);
    this.mins.set(m, (this.mins.get(m) ?? 0) + n);
    if (m > this.minEdge) this.minSum += n;
  }

  minute(nowSec: number): number {
    const edge = nowSec - 60;
    if (edge < this.secEdge) return sumAfter(this.secs, edge);
    if (edge > this.secEdge) {
      this.secSum -= leaving(this.secs, this.secEdge, edge);
      this.secEdge = edge;
    }
    return this.secSum;
  }

  hour(nowSec: number): number {
    const edge = Math.floor(nowSec / 60) - 60;
    if (edge < this.minEdge) return sumAfter(this.mins, edge);
    if (edge > this.minEdge) {
      this.minSum -= leaving(this.mins, this.minEdge, edge);
      this.minEdge = edge;
    }
    return this.minSum;
  }

  /** Seconds until the minute count is at most `target` (oldest calls leaving first); 0 if it already is. */
  minuteDrop(nowMs: number, target: number): number {
    return drop(this.secs, Math.floor(nowMs / 1000) - 59, this.minute(Math.floor(nowMs / 1000)), target, (s) => (s + 60) * 1000, nowMs);
  }

  hourDrop(nowMs: number, target: number): number {
    const nowSec = Math.floor(nowMs / 1000);
    return drop(this.mins, Math.floor(nowSec / 60) - 59, this.hour(nowSec), target, (m) => (m + 60) * 60_000, nowMs);
  }

  prune(nowSec: number): void {
    // Move the edges first: a pruned bucket must have left the running sums.
    this.minute(nowSec);
    this.hour(nowSec);
    for (const s of this.secs.keys()) if (s <= nowSec - 60) this.secs.delete(s);
    const nowMin = Math.floor(nowSec / 60);
    for (const m of this.mins.keys()) if (m <= nowMin - 60) this.mins.delete(m);
  }
}

/** The sum of the buckets after `edge`. */
function sumAfter(buckets: Map<number, number>, edge: number): number {
  let n = 0;
  for (const [b, c] of buckets) if (b > edge) n += c;
  return n;
}

/** The sum of the buckets in (from, to]: by key when the span is short, else over the map. */
function leaving(buckets: Map<number, number>, from: number, to: number): number {
  let n = 0;
  if (to - from <= buckets.size) for (let b = from + 1; b <= to; b++) n += buckets.get(b) ?? 0;
  else for (const [b, c] of buckets) if (b > from && b <= to) n += c;
  return n;
}

function drop(buckets: Map<number, number>, first: number, count: number, target: number, leavesAt: (b: number) => number, nowMs: number): number {
  if (count <= target) return 0;
  const keys = [...buckets.keys()].filter((b) => b >= first).sort((a, b) => a - b);
  let left = count;
  for (const b of keys) {
    left -= buckets.get(b) ?? 0;
    if (left <= target) return Math.max(1, Math.ceil((leavesAt(b) - nowMs) / 1000));
  }
  return Math.max(1, Math.ceil((leavesAt(keys[keys.length - 1] ?? first) - nowMs) / 1000));
}

/** A call counted as it was decided: give it back with `uncount` if it is not allowed after all. */
export interface CountedCall {
  agentId: string;
  tool: string;
  second: number;
}

/** An agent's window and its per-tool counts (maps of maps: no key strings built per decision). */
class AgentEntry {
  readonly w = new Window();
  readonly tools = new Map<string, ToolEntry>();
}

/** An agent on a tool: its window, and this process's own absolute counts per second and the ones changed since the last flush. */
class ToolEntry {
  readonly w = new Window();
  readonly own = new Map<number, number>();
  readonly dirty = new Set<number>();
  constructor(
    readonly agentId: string,
    readonly tool: string,
  ) {}
}

export class AgentCounters {
  /** This process's id in `agent_call_counts` (new at every start: a restarted process's rows are "others"). */
  readonly process = randomUUID();
  private agents = new Map<string, AgentEntry>();
  /** The agent-tool entries with own counts changed since the last flush. */
  private dirty = new Set<ToolEntry>();
  /** Others' absolute counts per `process\tagent\ttool\tsecond` (to apply the difference of a re-read row). */
  private remote = new Map<string, number>();
  private since: Date | null = null;
  private lastSync = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastCleanup = 0;

  /** The entry of an agent on a tool (made if missing); the agent's entry is `this.agents.get(agentId)`. */
  private entry(agentId: string, tool: string): ToolEntry {
    let a = this.agents.get(agentId);
    if (!a) this.agents.set(agentId, (a = new AgentEntry()));
    let t = a.tools.get(tool);
    if (!t) a.tools.set(tool, (t = new ToolEntry(agentId, tool)));
    return t;
  }

  private apply(agentId: string, tool: string, second: number, n: number): ToolEntry {
    const t = this.entry(agentId, tool);
    this.agents.get(agentId)!.w.add(second, n);
    t.w.add(second, n);
    return t;
  }

  view(agentId: string, toolKey: string, nowMs: number): AgentCounterView {
    const nowSec = Math.floor(nowMs / 1000);
    const a = this.agents.get(agentId);
    if (!a) return { minute: 0, hour: 0, toolMinute: 0 };
    const t = a.tools.get(toolId(toolKey));
    return { minute: a.w.minute(nowSec), hour: a.w.hour(nowSec), toolMinute: t?.w.minute(nowSec) ?? 0 };
  }

  /** Seconds until the counter at `path` ("minute", "hour", "toolMinute") is at most `target`. */
  retryAfter(agentId: string, toolKey: string, which: keyof AgentCounterView, target: number, nowMs: number): number {
    const a = this.agents.get(agentId);
    if (!a) return 0;
    if (which === "toolMinute") return a.tools.get(toolId(toolKey))?.w.minuteDrop(nowMs, target) ?? 0;
    return which === "minute" ? a.w.minuteDrop(nowMs, target) : a.w.hourDrop(nowMs, target);
  }

  count(agentId: string, toolKey: string, nowMs: number): CountedCall {
    const c = { agentId, tool: toolId(toolKey), second: Math.floor(nowMs / 1000) };
    this.change(c, 1);
    return c;
  }

  uncount(c: CountedCall): void {
    this.change(c, -1);
  }

  private change(c: CountedCall, n: number): void {
    const t = this.apply(c.agentId, c.tool, c.second, n);
    t.own.set(c.second, (t.own.get(c.second) ?? 0) + n);
    t.dirty.add(c.second);
    this.dirty.add(t);
  }

  /** True when the others' counts could not be read for STALE_MS: decisions that read them fail closed. */
  stale(nowMs = Date.now()): boolean {
    return nowMs - this.lastSync > STALE_MS;
  }

  /** Reads everything the others counted in the last hour, then keeps in step every SYNC_MS. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sync().finally(() => (this.running = null));
    }, SYNC_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.sync().catch(() => {});
  }

  /** One round: flush this process's changed counts, read the others' changes. Errors are logged. */
  async sync(): Promise<void> {
    const started = Date.now();
    try {
      await this.flush();
      await this.read();
      this.lastSync = started;
      if (started - this.lastCleanup > 60_000) {
        this.lastCleanup = started;
        this.prune(started);
        await getPool().query(`DELETE FROM agent_call_counts WHERE second < $1`, [Math.floor(started / 1000) - KEEP_SECONDS]);
      }
    } catch (err) {
      logger.error("could not synchronise the per-agent counters", { component: "counters", err: err as Error });
    }
  }

  private async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    const entries = [...this.dirty];
    this.dirty.clear();
    const agents: string[] = [];
    const tools: string[] = [];
    const seconds: number[] = [];
    const counts: number[] = [];
    const taken = entries.map((t) => {
      const secs = [...t.dirty];
      t.dirty.clear();
      for (const s of secs) {
        agents.push(t.agentId);
        tools.push(t.tool);
        seconds.push(s);
        counts.push(t.own.get(s) ?? 0);
      }
      return secs;
    });
    try {
      await getPool().query(
        `INSERT INTO agent_call_counts (process, agent_id, tool, second, n, updated_at)
         SELECT $1, a, t, s, n, clock_timestamp() FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::int[]) AS x(a, t, s, n)
         ON CONFLICT (process, agent_id, tool, second) DO UPDATE SET n = excluded.n, updated_at = excluded.updated_at`,
        [this.process, agents, tools, seconds, counts],
      );
    } catch (err) {
      entries.forEach((t, i) => {
        for (const s of taken[i]) t.dirty.add(s);
        this.dirty.add(t);
      });
      throw err;
    }
  }

  private async read(): Promise<void> {
    const oldest = Math.floor(Date.now() / 1000) - KEEP_SECONDS;
    const r = await getPool().query<{ process: string; agent_id: string; tool: string; second: string; n: number; updated_at: Date }>(
      `SELECT process, agent_id, tool, second, n, updated_at FROM agent_call_counts
        WHERE process <> $1 AND second > $2 AND ($3::timestamptz IS NULL OR updated_at > $3)`,
      [this.process, oldest, this.since],
    );
    let latest = this.since?.getTime() ?? 0;
    for (const row of r.rows) {
      const second = Number(row.second);
      const k = `${row.process}\t${row.agent_id}\t${row.tool}\t${second}`;
      const delta = row.n - (this.remote.get(k) ?? 0);
      this.remote.set(k, row.n);
      if (delta !== 0) this.apply(row.agent_id, row.tool, second, delta);
      latest = Math.max(latest, row.updated_at.getTime());
    }
    // Rows are re-read for OVERLAP_MS (idempotent: absolute values) so that one committed a little after
    // a later-stamped one is not missed.
    if (latest > 0) this.since = new Date(latest - OVERLAP_MS);
  }

  private prune(nowMs: number): void {
    const nowSec = Math.floor(nowMs / 1000);
    const oldest = nowSec - KEEP_SECONDS;
    for (const [agentId, a] of this.agents) {
      a.w.prune(nowSec);
      for (const [tool, t] of a.tools) {
        t.w.prune(nowSec);
        for (const s of t.own.keys()) if (s < oldest && !t.dirty.has(s)) t.own.delete(s);
        if (t.w.mins.size === 0 && t.own.size === 0) a.tools.delete(tool);
      }
      if (a.w.mins.size === 0 && a.tools.size === 0) this.agents.delete(agentId);
    }
    for (const k of this.remote.keys()) if (Number(k.slice(k.lastIndexOf("\t") + 1)) < oldest) this.remote.delete(k);
  }
}
