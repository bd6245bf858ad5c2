/**
 * Fault injection for the guarantees suite: a TCP proxy between a node and PostgreSQL that can be
 * severed, a closed-loop decision load that records every answer, and the checks that follow a fault
 * (every answered decision is recorded; nothing left running).
 */
import http from "node:http";
import net from "node:net";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { getPool } from "../../lib/db/pool.ts";

/**
 * A TCP proxy to PostgreSQL that a test can cut (every connection reset, new ones refused) and heal,
 * and that can slow down what reaches a change feed (the connections that sent LISTEN).
 */
export class TcpProxy {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  private cut = false;
  port = 0;
  /** Delay (ms) of everything PostgreSQL sends to a connection that issued LISTEN: a slow change feed. */
  feedDelayMs = 0;
  /** Only the feeds whose application_name matches are slowed down (e.g. one worker's of a node). */
  feedDelayOnly: RegExp | null = null;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => {
      if (this.cut) return void client.destroy();
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      let feed = false;
      let app = ""; // application_name, from the startup message
      let due = 0; // when the last delayed chunk goes out: later chunks never overtake it
      client.on("data", (chunk: Buffer) => {
        if (!app) {
          const at = chunk.indexOf("application_name\0");
          if (at >= 0) app = chunk.subarray(at + 17, chunk.indexOf(0, at + 17)).toString("utf8");
        }
        if (!feed && chunk.includes("LISTEN")) feed = true;
        upstream.write(chunk);
      });
      upstream.on("data", (chunk: Buffer) => {
        const now = Date.now();
        const slow = feed && (!this.feedDelayOnly || this.feedDelayOnly.test(app));
        due = Math.max(due, now + (slow ? this.feedDelayMs : 0));
        if (due <= now) client.write(chunk);
        else setTimeout(() => client.write(chunk), due - now);
      });
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Cuts the node off: every open connection is reset and new ones are refused. */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Rewrites a PostgreSQL URL to go through the proxy. */
export function throughProxy(databaseUrl: string, port: number): string {
  const u = new URL(databaseUrl);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
}

export interface Answer {
  /** When the request was sent, and when its answer came. */
  sentAt: number;
  at: number;
  status: number;
  decision?: string;
  decisionId?: string;
  retryAfter?: string | null;
  problemType?: string;
  error?: string;
}

/**
 * A closed-loop load: `concurrency` callers, each deciding one call after another on a session of its
 * own, until stopped. Every answer is kept (status, decision, decision id, when).
 */
export class DecisionLoad {
  readonly answers: Answer[] = [];
  private running = true;
  private done: Promise<void>;
  private agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly url: string,
    private readonly key: string,
    opts: { concurrency?: number; tool?: [string, string]; label?: string } = {},
  ) {
    const [server, name] = opts.tool ?? ["files", "read_file"];
    const label = opts.label ?? "load";
    this.done = Promise.all(
      Array.from({ length: opts.concurrency ?? 8 }, async (_, w) => {
        let i = 0;
        while (this.running) {
          const a = await this.one({ session: { id: `${label}-${w}` }, tool: { server, name }, arguments: { path: `f-${w}-${i++}` } });
          this.answers.push(a);
          if (a.status !== 200) await new Promise((r) => setTimeout(r, 20)); // no busy loop while refused
        }
      }),
    ).then(() => {});
  }

  private one(body: unknown): Promise<Answer> {
    const payload = JSON.stringify(body);
    const sentAt = Date.now();
    return new Promise<Omit<Answer, "sentAt">>((resolve) => {
      const req = http.request(
        `${this.url}/api/v1/decisions`,
        {
          method: "POST",
          agent: this.agent,
          timeout: 30_000,
          headers: { authorization: `Bearer ${this.key}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const at = Date.now();
            let json: Record<string, any> = {};
            try {
              json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              // not JSON: kept as a status only
            }
            resolve({
              at,
              status: res.statusCode ?? 0,
              decision: json.decision,
              decisionId: json.decision_id,
              retryAfter: res.headers["retry-after"] ?? null,
              problemType: json.type,
            });
          });
          res.on("error", (e) => resolve({ at: Date.now(), status: 0, error: e.message }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => resolve({ at: Date.now(), status: 0, error: e.message }));
      req.end(payload);
    }).then((a) => ({ sentAt, ...a }));
  }

  async stop(): Promise<Answer[]> {
    this.running = false;
    await this.done;
    this.agent.destroy();
    return this.answers;
  }

  /** Counts by status ("200 allow", "503", "0 <error>"…). */
  static tally(answers: Answer[]): Record<string, number> {
    const t: Record<string, number> = {};
    for (const a of answers) {
      const k = a.status === 200 ? `200 ${a.decision}` : a.status === 0 ? "no answer (connection)" : String(a.status);
      t[k] = (t[k] ?? 0) + 1;
    }
    return t;
  }
}

/** Every decision answered 200 is in the audit log (nothing answered but unrecorded). Returns the count. */
export async function expectAllRecorded(answers: Answer[]): Promise<number> {
  const ids = answers.filter((a) => a.status === 200).map((a) => a.decisionId!);
  expect(ids.every((id) => typeof id === "string")).toBe(true);
  let found = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const r = await getPool().query("SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'decision' AND decision_id = ANY($1::uuid[])", [
      ids.slice(i, i + 5000),
    ]);
    found += r.rows[0].n;
  }
  expect(found).toBe(ids.length);
  return found;
}

/** Polls `check` every 20 ms until it holds; returns the milliseconds it took, or Infinity past `limitMs`. */
export async function timeUntil(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > limitMs) return Infinity;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The postmaster of an embedded cluster (from postmaster.pid), or null. */
export function postmasterPid(dataDir: string): number | null {
  const f = join(dataDir, "pg", "postmaster.pid");
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The process runs (a zombie, exited but not yet reaped by whoever adopted it, does not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Processes whose command line mentions `text` (e.g. a data directory): what a test must not leave behind. */
export function processesMentioning(text: string): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(text)) out.push({ pid: Number(d), cmd: cmd.slice(0, 200) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident memory of a process in MiB (from /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** A line of figures for the suite's report (printed, and collected for docs/guarantees.md). */
export function report(line: string): void {
  process.stdout.write(`[guarantee] ${line}\n`);
}

/**
 * A JSON POST over a new connection (no keep-alive): consecutive calls reach a node's data-plane
 * workers in turn (node:cluster hands out connections round-robin), so a few of them ask every worker.
 */
export function postFresh(base: string, token: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const form = body instanceof URLSearchParams;
  return new Promise((resolve, reject) => {
    const data = Buffer.from(form ? body.toString() : JSON.stringify(body));
    const type = form ? "application/x-www-form-urlencoded" : "application/json";
    const req = http.request(
      `${base}${path}`,
      { method: "POST", agent: false, headers: { authorization: `Bearer ${token}`, "content-type": type, "content-length": data.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** The worker of a node that answers a new connection (`/api/v1/health`'s node name ends in `/w<i>`). */
export function workerOfFresh(base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/api/v1/health`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { node: string }).node.replace(/^.*\//, "")));
      })
      .on("error", reject);
  });
}

/** The workers of a node that answered `tries` new connections: a worker forked but not yet listening answers none. */
export async function workersAnswering(base: string, tries = 8): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) seen.add(await workerOfFresh(base));
  return [...seen].sort();
}
