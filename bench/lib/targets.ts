/**
 * Starting the benchmark targets as separate processes: the node:http echo ceiling, the Cerbos PDP,
 * and a Mandate node (the normal `mandate start`, embedded PostgreSQL with default durability).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import pg from "pg";
import { BENCH_CEILING } from "./workload.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../test/support/mandate.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface Target {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Waits until `check` passes; a target that does not come up is stopped (no orphans). */
async function waitFor(check: () => Promise<boolean>, child: ChildProcess, what: string, out: string[], ms = 120_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited:\n${out.join("")}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopper(child)();
  throw new Error(`${what} did not start:\n${out.join("")}`);
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null) return r();
      child.once("exit", () => r());
      child.kill("SIGTERM");
    });
}

export async function startEcho(): Promise<Target> {
  const port = await freePort();
  const code =
    `require("node:http").createServer((q,s)=>{const c=[];q.on("data",d=>c.push(d));` +
    `q.on("end",()=>{const b=Buffer.concat(c);s.writeHead(200,{"content-type":"application/json","content-length":b.length});s.end(b)})})` +
    `.listen(${port},"127.0.0.1")`;
  const out: string[] = [];
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.on("data", (d) => out.push(String(d)));
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => (await fetch(url, { method: "POST", body: "{}" })).ok, child, "echo", out);
  return { url, child, stop: stopper(child) };
}

export async function startCerbos(): Promise<Target> {
  const http = await freePort();
  const grpc = await freePort();
  const bin = join(ROOT, "node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64");
  if (!existsSync(bin)) throw new Error("Cerbos binary missing: npm install (devDependency @cerbos/cerbos-linux-x64)");
  const out: string[] = [];
  const child = spawn(bin, ["server", `--config=${join(ROOT, "bench/cerbos/config.yaml")}`, "--log-level=warn"], {
    env: { ...process.env, CERBOS_HTTP_PORT: String(http), CERBOS_GRPC_PORT: String(grpc), CERBOS_POLICY_DIR: join(ROOT, "bench/cerbos/policies") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => out.push(String(d)));
  child.stderr.on("data", (d) => out.push(String(d)));
  const base = `http://127.0.0.1:${http}`;
  await waitFor(async () => (await fetch(`${base}/_cerbos/health`)).ok, child, "cerbos", out);
  return { url: `${base}/api/check/resources`, child, stop: stopper(child) };
}

export interface MandateTarget extends Target {
  base: string;
  dataDir: string;
  databaseUrl: string;
  agents: Array<{ name: string; api_key: string }>;
  /** What the node printed that a reader of the benchmark must see (a worker that exited, an error). */
  troubles(): string[];
}

const TROUBLE = /exited|error|failed|killing|unexpected/i;

export interface NodeOptions {
  /** MANDATE_DATA_PLANE_WORKERS (unset: the default, one per core). */
  workers?: number;
  /** Another node's: this node joins it on its PostgreSQL (with its master key). */
  join?: MandateTarget;
  /** The node runs under `--cpu-prof` and writes a .cpuprofile here when it stops (`npm run bench -- --cpu-prof DIR`). */
  cpuProfDir?: string;
  /** More environment for this node only (bench:compare's --this-env / --base-env), applied last. */
  env?: Record<string, string>;
}

/** A Mandate node from this checkout, or from another one (`root`: bench:compare). */
export async function startMandateNode(withConsole: boolean, root = ROOT, o: NodeOptions = {}): Promise<MandateTarget> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "mandate-bench-"));
  const out: string[] = [];
  // The metrics listener on any free port: two nodes of one checkout run at once (a joined node, bench:compare).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    MANDATE_DATA_DIR: dataDir,
    MANDATE_SKIP_BUILD: "1",
    MANDATE_METRICS_LISTEN: "127.0.0.1:0",
  };
  delete env.DATABASE_URL;
  delete env.MANDATE_DATA_PLANE_WORKERS;
  if (o.workers) env.MANDATE_DATA_PLANE_WORKERS = String(o.workers);
  Object.assign(env, o.env);
  if (o.join) {
    env.DATABASE_URL = o.join.databaseUrl;
    env.MANDATE_MASTER_KEY = readFileSync(join(o.join.dataDir, "master.key"), "utf8").trim();
  }
  const prof = o.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${resolve(o.cpuProfDir)}`] : [];
  const child = spawn(process.execPath, [...prof, join(root, "bin/mandate.mjs"), "start", ...(withConsole ? [] : ["--no-console"])], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => out.push(String(d)));
  child.stderr.on("data", (d) => out.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await waitFor(async () => (await fetch(`${base}/api/v1/health`)).ok, child, "mandate", out);
  } catch (e) {
    removeData();
    throw e;
  }
  const troubles = () =>
    out
      .join("")
      .split("\n")
      .filter((l) => TROUBLE.test(l));
  if (o.join) {
    const j = o.join;
    return { ...j, url: `${base}/api/v1/decisions`, base, child, dataDir, troubles, stop: async () => (await stopper(child)(), removeData()) };
  }
  // Written by the node at its first start.
  const creds = JSON.parse(readFileSync(join(dataDir, "initial-credentials.json"), "utf8")) as { agents: MandateTarget["agents"] };
  const db = JSON.parse(readFileSync(join(dataDir, "postgres.json"), "utf8")) as { password: string; port: number };
  const databaseUrl = `postgresql://postgres:${encodeURIComponent(db.password)}@127.0.0.1:${db.port}/mandate`;
  await raiseCeiling(root, dataDir, databaseUrl);
  return {
    url: `${base}/api/v1/decisions`,
    base,
    child,
    dataDir,
    databaseUrl,
    agents: creds.agents,
    troubles,
    stop: async () => {
      await stopper(child)();
      removeData();
    },
  };
}

const RATE = /(context\.counters\.agent\.minute >= )600\b/;

/**
 * The default policy's per-agent ceiling (`rate`: 600 calls a minute) would make the benchmark measure
 * denials: raised to BENCH_CEILING (the policy and its evaluation stay the same; the Cerbos mirror has the
 * same literal), published with the checkout's own CLI. A checkout without `rate` is left as it is.
 */
async function raiseCeiling(root: string, dataDir: string, databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  let text: string | undefined;
  try {
    const r = await c.query<{ text: string }>(`SELECT text FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'`);
    text = r.rows[0]?.text;
  } finally {
    await c.end();
  }
  if (!text || !RATE.test(text)) return;
  const file = join(dataDir, "bench-policy.cedar");
  writeFileSync(file, text.replace(RATE, `$1${BENCH_CEILING}`));
  const p = spawnSync(process.execPath, [join(root, "bin/mandate.mjs"), "policy", "publish", file, "--note", "bench: per-agent ceiling raised"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, MANDATE_DATA_DIR: dataDir },
    encoding: "utf8",
  });
  if (p.status !== 0) throw new Error(`could not raise the bench ceiling: ${p.stderr || p.stdout}`);
}
