/**
 * Start-up steps shared by `mandate start` and the CLI: find or start the database, load the master
 * key, apply migrations (once, under an advisory lock) and seed an empty database.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedDb } from "../lib/db/embedded.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { getPool, setDatabaseUrl } from "../lib/db/pool.ts";
import { loadMasterKey } from "../lib/crypto/master-key.ts";
import { env } from "../lib/env.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { seedIfEmpty, type InitialCredentials } from "../lib/seed/demo-seed.ts";

export interface Database {
  url: string;
  embedded: EmbeddedDb | null;
}

/** `adopt`: a node starting takes over an embedded PostgreSQL left running by a node that was killed. */
export async function connectDatabase(log: (m: string) => void, opts: { adopt?: boolean } = {}): Promise<Database> {
  const e = env();
  if (e.DATABASE_URL) {
    setDatabaseUrl(e.DATABASE_URL);
    return { url: e.DATABASE_URL, embedded: null };
  }
  const embedded = await startEmbeddedPostgres(e.dataDir, log, opts);
  setDatabaseUrl(embedded.url);
  return { url: embedded.url, embedded };
}

export async function prepareDatabase(opts: { seed: boolean }): Promise<InitialCredentials | null> {
  const e = env();
  loadMasterKey({ fromEnv: e.MANDATE_MASTER_KEY, dataDir: e.dataDir, createIfMissing: true });
  const client = await getPool().connect();
  try {
    await applyMigrations(client);
    // Before the node starts: the seed runs as a process without a node (its own admin chain).
    return opts.seed ? await seedIfEmpty(noNode(), client) : null;
  } finally {
    client.release();
  }
}

/** Writes the one-time credentials to <data dir>/initial-credentials.json (before the node listens). */
export function writeCredentials(creds: InitialCredentials, dataDir: string): void {
  writeFileSync(join(dataDir, "initial-credentials.json"), JSON.stringify(creds, null, 2) + "\n", { mode: 0o600 });
}

/** Prints the one-time credentials to the terminal (written by writeCredentials). */
export function announceCredentials(creds: InitialCredentials, dataDir: string, url: string): void {
  const file = join(dataDir, "initial-credentials.json");
  const lines = [
    "",
    "  ┌─ Mandate: first start ─ one-time credentials (also in " + file + ", mode 0600)",
    `  │  Console      ${url}`,
    `  │  Admin login  ${creds.admin.email}  /  ${creds.admin.password}`,
    ...creds.agents.map((a) => `  │  Agent key    ${a.name.padEnd(18)} ${a.api_key}`),
    "  └─ Store them now: they are not shown again.",
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}
