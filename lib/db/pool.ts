/**
 * The PostgreSQL connection pool used by the hot paths (decisions, audit chain, events) through plain
 * SQL, and by Prisma through its pg adapter. One pool per process, created on first use.
 */
import pg from "pg";
import { logger } from "../telemetry/log.ts";

// BIGINT (int8) as JS number: counts and sequence numbers here stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

let pool: pg.Pool | undefined;
let currentUrl: string | undefined;

export function setDatabaseUrl(url: string): void {
  currentUrl = url;
}

export function databaseUrl(): string {
  const url = currentUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("No database configured: start Mandate with `mandate start` or set DATABASE_URL");
  return url;
}

/**
 * A process-wide global (ARCHITECTURE.md, *The composition root*): the Next.js bundle loads its own copy
 * of this module, and must use the pool the server opened, to the database the server connected to.
 */
export function getPool(): pg.Pool {
  const g = globalThis as { __mandatePool?: pg.Pool };
  if (g.__mandatePool) return g.__mandatePool;
  // A database that cannot be reached fails a request within seconds (answered 503), instead of
  // holding it: connecting gives up after 5 s, and a query that never comes back (a stalled network)
  // after 60 s, its connection destroyed.
  pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: 20,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    query_timeout: 60_000,
    keepAlive: true,
  });
  // A connection lost while checked out (between the queries of a transaction, during a COPY, while
  // held by a chain) emits 'error' with no listener of the pool's own: unheard, that ends the process.
  // Its holder learns of the loss from its next query, and the pool discards it when it is released.
  pool.on("connect", (client) => client.on("error", () => {}));
  pool.on("error", (err) => {
    // 57P01: the server is shutting down (e.g. the embedded PostgreSQL stopping with the node).
    if ((err as { code?: string }).code !== "57P01") logger.warn("idle database client error", { component: "db", err: err.message });
  });
  g.__mandatePool = pool;
  return pool;
}

export async function closePool(): Promise<void> {
  const g = globalThis as { __mandatePool?: pg.Pool };
  const p = g.__mandatePool;
  g.__mandatePool = undefined;
  pool = undefined;
  if (p) await p.end();
}

export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/** Runs fn in a transaction on one pooled connection. */
export async function withTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
