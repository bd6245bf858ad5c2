/**
 * Starts a real Mandate node for integration tests: `bin/mandate.mjs start` as a child process on a
 * free port, with its own data directory (and so its own embedded PostgreSQL) unless a databaseUrl
 * is given. Admin actions the tests need (tokens, agents, approvals of tools, policies) go through the
 * same lib/ functions the CLI uses, against the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { setDatabaseUrl, closePool } from "../../lib/db/pool.ts";
import { createApiToken } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { createAgent } from "../../lib/identity/agents.ts";
import { approveTool } from "../../lib/inventory/tools-admin.ts";
import { publishPolicy } from "../../lib/policy/publish.ts";
import { DEFAULT_MCP_POLICY } from "../../lib/policy/default-policy.ts";
import { getPool } from "../../lib/db/pool.ts";

export { DEFAULT_MCP_POLICY as DEFAULT_POLICY };

export const ROOT = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export interface InitialCredentials {
  admin: { email: string; password: string };
  agents: Array<{ name: string; api_key: string }>;
}

export interface MandateHandle {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  adminToken: string;
  credentials: InitialCredentials | null;
  logs(): string;
  /** The node's process id (while it runs): its primary process when it has several. */
  pid(): number | undefined;
  /** The node's exit code once it has exited (null while it runs, or when a signal ended it). */
  exitCode(): number | null;
  /** The node's data-plane worker processes (children of its primary), now. */
  workerPids(): number[];
  createAgent(name: string, opts?: { team?: string; owner?: string }): Promise<{ id: string; name: string; apiKey: string }>;
  publishPolicy(cedarText: string, mode?: "active" | "shadow"): Promise<void>;
  approveTool(server: string, tool: string): Promise<void>;
  /** Waits until the change feed has had time to reach the node (NOTIFY is asynchronous). */
  settle(ms?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  databaseUrl?: string;
  dataDir?: string;
  port?: number;
  console?: boolean;
  /**
   * Data-plane processes of the node (MANDATE_DATA_PLANE_WORKERS). Tests default to 1 (many nodes run at
   * once on this machine); the two-node, fault and browser suites run 2 (the multi-process layout, console behind the proxy).
   */
  workers?: number;
  /** How long the node may take to answer its health check (default 90 s; nodes with the console start slower on a loaded machine). */
  startTimeoutMs?: number;
}

function spawnNode(port: number, dataDir: string, opts: StartOptions): { child: ChildProcess; out: string[] } {
  const out: string[] = [];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    MANDATE_DATA_DIR: dataDir,
    MANDATE_SKIP_BUILD: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    MANDATE_DATA_PLANE_WORKERS: String(opts.workers ?? 1),
    // Many nodes run at once: none takes the default metrics port unless a test asks (test/integration/metrics.test.ts).
    MANDATE_METRICS_LISTEN: "off",
    ...(opts.console === false || !opts.console ? { MANDATE_CONSOLE: "0" } : {}),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.env,
  };
  if (!opts.databaseUrl) delete env.DATABASE_URL;
  const child = spawn(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "start"], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => out.push(String(d)));
  child.stderr.on("data", (d) => out.push(String(d)));
  return { child, out };
}

async function waitHealthy(url: string, child: ChildProcess, out: string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mandate exited (${child.exitCode}):\n${out.join("")}`);
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`mandate did not become healthy:\n${out.join("")}`);
}

/** Child processes of `pid` whose command line contains `needle` (Linux /proc). */
export function childrenRunning(pid: number, needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && readFileSync(`/proc/${d}/cmdline`, "utf8").includes(needle)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function embeddedUrl(dataDir: string): string {
  const info = JSON.parse(readFileSync(join(dataDir, "postgres.json"), "utf8"));
  return `postgresql://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/mandate`;
}

/**
 * Data directories this process created (each holds a PostgreSQL cluster, hundreds of MB with its WAL):
 * removed when the test process exits, when every node in them has been stopped. Tests still read them
 * after stop() (CLI runs, postmaster.pid checks). MANDATE_KEEP_TEST_DATA=1 keeps them.
 */
const createdDirs = new Set<string>();
process.once("exit", () => {
  if (process.env.MANDATE_KEEP_TEST_DATA === "1") return;
  for (const d of createdDirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
});

/**
 * With MANDATE_TEST_PG_URL (a PostgreSQL server and a role that may create databases, e.g. the
 * PostgreSQL 15 server over TLS of scripts/test-pg-server.sh): a fresh database on it, for a node or a
 * restore. Without it: undefined (the node runs its own embedded PostgreSQL).
 */
export async function freshServerDatabase(): Promise<string | undefined> {
  const base = process.env.MANDATE_TEST_PG_URL;
  if (!base) return undefined;
  const name = `mandate_t_${randomBytes(6).toString("hex")}`;
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function startMandate(opts: StartOptions = {}): Promise<MandateHandle> {
  if (!opts.databaseUrl) {
    const server = await freshServerDatabase();
    if (server) opts = { ...opts, databaseUrl: server };
  }
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "mandate-test-"));
  if (!opts.dataDir) createdDirs.add(dataDir);
  const url = `http://127.0.0.1:${port}`;
  let proc = spawnNode(port, dataDir, opts);
  await waitHealthy(url, proc.child, proc.out, opts.startTimeoutMs);
  const databaseUrl = opts.databaseUrl ?? embeddedUrl(dataDir);
  setDatabaseUrl(databaseUrl);
  const credFile = join(dataDir, "initial-credentials.json");
  const credentials: InitialCredentials | null = existsSync(credFile) ? JSON.parse(readFileSync(credFile, "utf8")) : null;
  const admin = await getPool().query("SELECT id FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1");
  const token = await createApiToken(noNode(), admin.rows[0].id, "integration tests", "test:setup", 1);

  const handle: MandateHandle = {
    url,
    port,
    dataDir,
    databaseUrl,
    adminToken: token.secret,
    credentials,
    logs: () => proc.out.join(""),
    pid: () => proc.child.pid,
    exitCode: () => proc.child.exitCode,
    workerPids: () => (proc.child.pid ? childrenRunning(proc.child.pid, "server/worker-entry.mjs") : []),
    async createAgent(name, o = {}) {
      const a = await createAgent(noNode(), { name, team: o.team, owner: o.owner }, "test:setup");
      return { id: a.id, name: a.name, apiKey: a.apiKey! };
    },
    async publishPolicy(text, mode = "active") {
      await publishPolicy(noNode(), "mcp", text, "test:setup", { mode });
      await handle.settle();
    },
    async approveTool(server, tool) {
      await approveTool(noNode(), server, tool, {}, "test:setup");
      await handle.settle();
    },
    settle: (ms = 300) => new Promise((r) => setTimeout(r, ms)),
    async stop(signal = "SIGTERM") {
      const c = proc.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((r) => {
        c.once("exit", () => r());
        c.kill(signal);
      });
    },
    async restart() {
      await handle.stop();
      proc = spawnNode(port, dataDir, opts);
      await waitHealthy(url, proc.child, proc.out, opts.startTimeoutMs);
    },
  };
  return handle;
}

export async function closeTestDb(): Promise<void> {
  await closePool();
}

/** fetch with a Bearer token and a JSON body. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: r.status, headers: r.headers, body: json };
}
