/**
 * Opens the database for one CLI command (starting the embedded PostgreSQL if `mandate start` is not
 * running) and closes everything afterwards. The CLI runs no node: its command gets noNode() (admin
 * actions on a chain of this process; the nodes get the change through their change feed).
 */
import { closePool } from "../lib/db/pool.ts";
import { noNode, type NodeContext } from "../lib/runtime/runtime.ts";
import { connectDatabase, prepareDatabase } from "../server/bootstrap.ts";

export async function withDatabase<T>(fn: (ctx: NodeContext) => Promise<T>): Promise<T> {
  const db = await connectDatabase((m) => process.stderr.write(`${m}\n`));
  try {
    await prepareDatabase({ seed: false });
    return await fn(noNode());
  } finally {
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch(() => {});
  }
}
