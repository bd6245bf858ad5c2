/**
 * Opens the database for one CLI command (starting the embedded PostgreSQL if `mandate start` is not
 * running) and closes everything afterwards.
 */
import { closePool } from "../lib/db/pool.ts";
import { connectDatabase, prepareDatabase } from "../server/bootstrap.ts";

export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const db = await connectDatabase((m) => process.stderr.write(`${m}\n`));
  try {
    await prepareDatabase({ seed: false });
    return await fn();
  } finally {
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch(() => {});
  }
}
