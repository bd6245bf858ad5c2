/**
 * The process's one Prisma client, over the process's one pg pool (lib/db/pool.ts) through Prisma's pg
 * driver adapter, so Prisma and hand-written SQL share connections instead of doubling them. Secret
 * columns (key and token hashes, password hashes, encrypted keys) are omitted by default: code that
 * needs one asks for it with `omit: { x: false }`.
 *
 * `onConnection(conn, fn)` runs Prisma calls on one pg connection, inside whatever transaction that
 * connection is in: that is how an admin action's change written with Prisma commits in the same
 * transaction as its audit entry (lib/audit/admin-action.ts). The transaction stays the pg
 * connection's (BEGIN/COMMIT/ROLLBACK are issued by its owner); Prisma only borrows the connection.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import type { IsolationLevel, SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlQueryable, Transaction } from "@prisma/driver-adapter-utils";
import type { ITXClientDenyList } from "@prisma/client/runtime/client";
import pg from "pg";
import { PrismaClient } from "./generated/client.ts";
import { getPool } from "./pool.ts";

/** The connection an `onConnection` call lends to Prisma, and whether Prisma took it. */
interface Lent {
  conn: pg.PoolClient;
  taken: boolean;
}

function create(pool: pg.Pool, lent: AsyncLocalStorage<Lent>) {
  return new PrismaClient({
    adapter: new LendingAdapterFactory(new PrismaPg(pool), lent),
    omit: {
      user: { passwordHash: true },
      apiToken: { tokenHash: true },
      agentKey: { keyHash: true },
      pepKey: { keyHash: true },
      signingKey: { privateJwkEnc: true },
      replayValue: { argumentsEnc: true },
    },
  });
}

export type Db = ReturnType<typeof create>;
/** The client inside a transaction (`onConnection`'s `fn` gets one). */
export type TxDb = Omit<Db, ITXClientDenyList>;

interface Held {
  pool: pg.Pool;
  client: Db;
  lent: AsyncLocalStorage<Lent>;
}

/**
 * Held on globalThis like the pool, so that the data plane and the Next.js bundle (which loads its own
 * copy of this module) share one client; rebuilt when the pool is (closePool() then getPool()).
 */
function held(): Held {
  const g = globalThis as { __mandatePrisma?: Held };
  const pool = getPool();
  if (g.__mandatePrisma?.pool !== pool) {
    const lent = new AsyncLocalStorage<Lent>();
    g.__mandatePrisma = { pool, client: create(pool, lent), lent };
  }
  return g.__mandatePrisma;
}

/** The process's Prisma client. */
export function db(): Db {
  return held().client;
}

/** An admin action can take longer than Prisma's default 5 s; the connection's owner bounds it. */
const LENT_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `fn`'s Prisma calls on `conn`, in the transaction `conn` is in (nothing is committed or rolled
 * back here). Refuses to run `fn` unless Prisma really runs on `conn`.
 */
export async function onConnection<T>(conn: pg.PoolClient, fn: (tx: TxDb) => Promise<T>): Promise<T> {
  const h = held();
  const lent: Lent = { conn, taken: false };
  return h.lent.run(lent, () =>
    h.client.$transaction(
      async (tx) => {
        if (!lent.taken) throw new Error("Prisma did not take the lent connection: refusing to write outside its transaction");
        return fn(tx);
      },
      { timeout: LENT_TIMEOUT_MS, maxWait: LENT_TIMEOUT_MS },
    ),
  );
}

/**
 * Prisma's pg adapter, except that a transaction started inside `onConnection` is the lent connection's
 * own: no BEGIN, and Prisma's commit and rollback leave it to the connection's owner ("phantom"
 * queries); a nested transaction Prisma may open inside it is a savepoint.
 */
class LendingAdapterFactory implements SqlDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName: string;

  constructor(
    private readonly inner: PrismaPg,
    private readonly lent: AsyncLocalStorage<Lent>,
  ) {
    this.adapterName = inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const a = await this.inner.connect();
    const lent = this.lent;
    return {
      provider: a.provider,
      adapterName: a.adapterName,
      queryRaw: (q) => a.queryRaw(q),
      executeRaw: (q) => a.executeRaw(q),
      executeScript: (s) => a.executeScript(s),
      getConnectionInfo: () => a.getConnectionInfo(),
      dispose: () => a.dispose(),
      async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
        const l = lent.getStore();
        if (!l) return a.startTransaction(isolationLevel);
        if (l.taken) throw new Error("a lent connection serves one Prisma transaction");
        l.taken = true;
        // The adapter's own queryable (its type conversions) over just this connection.
        return new LentTransaction(await new PrismaPg(new OneConnection(l.conn)).connect(), a.adapterName);
      },
    };
  }
}

/** A pg.Pool whose only connection is one already checked out (Prisma's adapter takes a Pool). */
class OneConnection extends pg.Pool {
  constructor(private readonly conn: pg.PoolClient) {
    super();
  }

  override query = ((...args: unknown[]) => (this.conn.query as (...a: unknown[]) => unknown).apply(this.conn, args)) as pg.Pool["query"];
}

class LentTransaction implements Transaction {
  readonly options = { usePhantomQuery: true };
  readonly provider = "postgres";

  constructor(
    private readonly q: SqlQueryable,
    readonly adapterName: string,
  ) {}

  queryRaw(query: SqlQuery) {
    return this.q.queryRaw(query);
  }

  executeRaw(query: SqlQuery) {
    return this.q.executeRaw(query);
  }

  async commit(): Promise<void> {}

  async rollback(): Promise<void> {}

  async createSavepoint(name: string): Promise<void> {
    await this.q.executeRaw({ sql: `SAVEPOINT ${name}`, args: [], argTypes: [] });
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.q.executeRaw({ sql: `ROLLBACK TO SAVEPOINT ${name}`, args: [], argTypes: [] });
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.q.executeRaw({ sql: `RELEASE SAVEPOINT ${name}`, args: [], argTypes: [] });
  }
}
