/**
 * `mandate backup <file>` and `mandate restore <file>` (lib/backup, docs/backup.md).
 */
import { resolve } from "node:path";
import { writeBackup } from "../lib/backup/backup.ts";
import { RestoreRefused, restoreBackup } from "../lib/backup/restore.ts";
import { closePool, getPool } from "../lib/db/pool.ts";
import { env } from "../lib/env.ts";
import { MandateError } from "../lib/errors.ts";
import { connectDatabase } from "../server/bootstrap.ts";
import { withDatabase } from "./with-database.ts";

export function backupCommand(file: string): Promise<number> {
  return withDatabase(async () => {
    try {
      const s = await writeBackup(getPool(), env().dataDir, resolve(file));
      console.log(
        `Backup ${s.file}: ${s.rows} rows in ${s.tables} tables, ${s.migrations} migrations, files: ${s.files.join(", ") || "none"} (${s.bytes} bytes)`,
      );
      if (!s.files.includes("master.key")) console.log("The master key is not in the data directory (MANDATE_MASTER_KEY): keep it with the backup, apart.");
      return 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new MandateError(409, "conflict", (err as Error).message);
      throw err;
    }
  });
}

/** Runs without prepareDatabase: no master key is made and no migration runs before the backup says which. */
export async function restoreCommand(file: string): Promise<number> {
  const db = await connectDatabase((m) => process.stderr.write(`${m}\n`));
  const client = await getPool().connect();
  try {
    const s = await restoreBackup(client, resolve(file), env().dataDir);
    console.log(`Restored the backup of ${s.created_at}: ${s.rows} rows in ${s.tables} tables; files: ${s.files.join(", ") || "none"}`);
    if (s.migrated.length) console.log(`Then applied ${s.migrated.length} newer migration(s): ${s.migrated.join(", ")}`);
    console.log("Check it with: mandate audit verify");
    return 0;
  } catch (err) {
    if (err instanceof RestoreRefused) throw new MandateError(409, "restore_refused", err.message);
    throw err;
  } finally {
    client.release();
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch(() => {});
  }
}
