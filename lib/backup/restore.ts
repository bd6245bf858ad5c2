/**
 * `mandate restore <file>`: loads a backup of `mandate backup` (lib/backup/backup.ts) into an empty
 * database and writes its files into the data directory. All or nothing: the rows load in one transaction
 * that commits only when the trailer's checksum matches every line read, and the files are written only
 * after that commit. A backup taken by an older version is restored at its own schema, then the newer
 * migrations run; a backup with a migration this version does not know is refused.
 */
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type pg from "pg";
import { z } from "zod";
import { applyMigrations, migrationsDir } from "../db/migrate.ts";
import { BACKUP_FORMAT, BACKUP_VERSION, DATA_DIR_FILES, backupTables, insertableColumns, quoteIdent } from "./backup.ts";

const BATCH_ROWS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

const header = z.object({
  kind: z.literal("header"),
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  created_at: z.string(),
  migrations: z.array(z.object({ name: z.string(), checksum: z.string() })),
});
const fileLine = z.object({
  kind: z.literal("file"),
  name: z.enum(DATA_DIR_FILES),
  mode: z.number().int().min(0).max(0o777),
  data: z.string(),
});
const tableLine = z.object({ kind: z.literal("table"), name: z.string(), columns: z.array(z.string()) });
const tableEnd = z.object({ kind: z.literal("table_end"), name: z.string(), rows: z.number().int().min(0) });
const sequenceLine = z.object({ kind: z.literal("sequence"), name: z.string(), last_value: z.string().regex(/^-?\d+$/), is_called: z.boolean() });
const trailer = z.object({ kind: z.literal("trailer"), tables: z.number().int(), rows: z.number().int(), sha256: z.string() });

export class RestoreRefused extends Error {}

export interface RestoreSummary {
  created_at: string;
  tables: number;
  rows: number;
  files: string[];
  migrated: string[];
}

function parse<T>(schema: z.ZodType<T>, line: string, what: string): T {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new RestoreRefused(`not a Mandate backup: ${what} is not JSON`);
  }
  const r = schema.safeParse(v);
  if (!r.success) throw new RestoreRefused(`not a Mandate backup, or damaged: unexpected ${what} (${r.error.issues[0]?.message})`);
  return r.data;
}

/** The code's migrations, in order, with the checksum applyMigrations records. */
function codeMigrations(dir: string): Array<{ name: string; checksum: string }> {
  return readdirMigrations(dir).map((name) => ({
    name,
    checksum: createHash("sha256")
      .update(readFileSync(join(dir, name, "migration.sql"), "utf8"))
      .digest("hex"),
  }));
}
function readdirMigrations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
}

export async function restoreBackup(client: pg.ClientBase, file: string, dataDir: string, dir = migrationsDir()): Promise<RestoreSummary> {
  if (!existsSync(file)) throw new RestoreRefused(`${file} does not exist`);
  // readline does not pass on its input's errors (a file that is not gzip): they end the lines, and are then reported.
  let streamError: Error | null = null;
  const raw = createReadStream(file);
  const input = raw.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  input.on("error", (e) => {
    streamError = e;
    rl.close();
  });
  const it = rl[Symbol.asyncIterator]();
  const hash = createHash("sha256");
  const next = async (what: string): Promise<string> => {
    let r: IteratorResult<string>;
    try {
      r = await it.next();
    } catch (err) {
      streamError ??= err as Error;
      r = { done: true, value: undefined };
    }
    if (streamError) throw new RestoreRefused(`not a Mandate backup, or damaged: it cannot be read (${streamError.message})`);
    if (r.done) throw new RestoreRefused(`the backup ends early (expected ${what}): it is truncated`);
    return r.value;
  };

  try {
    // 1. Header: the backup's schema must be this version's, or an earlier state of it.
    const firstLine = await next("the header");
    hash.update(firstLine + "\n");
    const h = parse(header, firstLine, "first line");
    const code = codeMigrations(dir);
    h.migrations.forEach((m, i) => {
      if (code[i]?.name !== m.name)
        throw new RestoreRefused(
          `the backup's migration ${m.name} is not this version's migration #${i + 1}: restore it with the Mandate version that took it`,
        );
      if (code[i].checksum !== m.checksum) throw new RestoreRefused(`the backup's migration ${m.name} differs from this version's (checksum)`);
    });

    // 2. The target must hold no audit history: a restore never overwrites a log.
    const has = await client.query<{ t: string | null }>(`SELECT to_regclass(format('%I.audit_entries', current_schema()))::text AS t`);
    if (has.rows[0].t && (await client.query(`SELECT 1 FROM audit_entries LIMIT 1`)).rowCount)
      throw new RestoreRefused("the database already holds audit entries: restore needs an empty database (a fresh data directory, or an empty DATABASE_URL)");

    // 3. The schema as it was when the backup was taken.
    const prefix = mkdtempSync(join(tmpdir(), "mandate-restore-"));
    try {
      for (const m of h.migrations) {
        mkdirSync(join(prefix, m.name));
        copyFileSync(join(dir, m.name, "migration.sql"), join(prefix, m.name, "migration.sql"));
      }
      await applyMigrations(client, prefix);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }

    // 4. Rows, in one transaction (triggers off: the rows are the log as it was, not new writes).
    const files: Array<z.infer<typeof fileLine>> = [];
    let tables = 0;
    let rows = 0;
    await client.query("BEGIN");
    try {
      await client.query("SET LOCAL session_replication_role = replica");
      const target = await backupTables(client);
      await client.query(`TRUNCATE ${target.map(quoteIdent).join(", ")}`);
      let line = await next("the files or the first table");
      for (;;) {
        const kind = /^\{"kind":"([a-z_]+)"/.exec(line)?.[1];
        if (kind === "file") {
          hash.update(line + "\n");
          files.push(parse(fileLine, line, "file line"));
        } else if (kind === "table") {
          hash.update(line + "\n");
          const t = parse(tableLine, line, "table line");
          if (!target.includes(t.name)) throw new RestoreRefused(`the backup has a table ${t.name} that its schema does not`);
          const cols = await insertableColumns(client, t.name);
          if (cols.join(",") !== t.columns.join(",")) throw new RestoreRefused(`table ${t.name}: the backup's columns differ from its schema's`);
          const colList = cols.map(quoteIdent).join(", ");
          const insert = `INSERT INTO ${quoteIdent(t.name)} (${colList}) OVERRIDING SYSTEM VALUE
            SELECT ${colList} FROM json_populate_recordset(NULL::${quoteIdent(t.name)}, $1::json)`;
          // A partitioned audit log (lib/audit/partitions.ts): each month's partition before its rows, not the default one.
          const partitioned =
            t.name === "audit_entries" && (await client.query<{ p: boolean }>(`SELECT to_regproc('mandate_audit_partition') IS NOT NULL AS p`)).rows[0].p;
          let batch: string[] = [];
          let bytes = 0;
          let n = 0;
          const flush = async () => {
            if (batch.length && partitioned)
              await client.query(
                `SELECT mandate_audit_partition(m) FROM (SELECT DISTINCT date_trunc('month', created_at, 'UTC') AS m
                   FROM json_populate_recordset(NULL::audit_entries, $1::json)) x`,
                [`[${batch.join(",")}]`],
              );
            if (batch.length) await client.query(insert, [`[${batch.join(",")}]`]);
            batch = [];
            bytes = 0;
          };
          for (;;) {
            line = await next(`the rows of ${t.name}`);
            hash.update(line + "\n");
            if (!line.startsWith('["r",')) break;
            batch.push(line.slice(5, -1));
            bytes += line.length;
            n++;
            if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
          }
          await flush();
          const end = parse(tableEnd, line, "table end");
          if (end.name !== t.name || end.rows !== n) throw new RestoreRefused(`table ${t.name}: ${n} rows read, the backup says ${end.rows}`);
          tables++;
          rows += n;
        } else if (kind === "sequence") {
          hash.update(line + "\n");
          const s = parse(sequenceLine, line, "sequence line");
          await client.query(`SELECT setval(format('%I.%I', current_schema(), $1::text)::regclass, $2::bigint, $3)`, [s.name, s.last_value, s.is_called]);
        } else if (kind === "trailer") {
          const tr = parse(trailer, line, "trailer");
          if (tr.sha256 !== hash.digest("hex") || tr.tables !== tables || tr.rows !== rows)
            throw new RestoreRefused("the backup's checksum does not match its contents: it is damaged");
          break;
        } else {
          throw new RestoreRefused(`not a Mandate backup, or damaged: unexpected line ${JSON.stringify(line.slice(0, 40))}`);
        }
        line = await next("the trailer");
      }
      // Files: none may be overwritten with different content (a data directory that already has keys is not fresh).
      for (const f of files) {
        const path = join(dataDir, f.name);
        if (existsSync(path) && !readFileSync(path).equals(Buffer.from(f.data, "base64")))
          throw new RestoreRefused(`${path} exists with other contents: restore into a fresh data directory`);
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    for (const f of files) writeFileSync(join(dataDir, f.name), Buffer.from(f.data, "base64"), { mode: f.mode });

    // 5. Newer migrations of this version, if the backup is older.
    const migrated = (await applyMigrations(client, dir)).applied;
    return { created_at: h.created_at, tables, rows, files: files.map((f) => f.name), migrated };
  } finally {
    rl.close();
    raw.destroy();
  }
}
