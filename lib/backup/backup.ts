/**
 * `mandate backup <file>`: a consistent logical backup of the database plus the data directory's files
 * that are not in it (the master key, the checkpoint signing key and the checkpoint log), taken while
 * Mandate runs. Format (docs/backup.md): gzip'd lines, one JSON value each —
 *   {"kind":"header", format, version, created_at, migrations: [{name, checksum}]}
 *   {"kind":"file", name, mode, data (base64)}              files, read BEFORE the database snapshot
 *   {"kind":"table", name, columns}                          then ["r", <row as PostgreSQL's row_to_json>] per row
 *   {"kind":"table_end", name, rows}
 *   {"kind":"sequence", name, last_value, is_called}
 *   {"kind":"trailer", tables, rows, sha256}                 sha256 of every line before it
 * Rows are never parsed in JavaScript (a bigint or a timestamp keeps PostgreSQL's own text), and every table
 * is read in one REPEATABLE READ snapshot, so the backup is the database at one instant.
 */
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import type pg from "pg";

export const BACKUP_FORMAT = "mandate-backup";
export const BACKUP_VERSION = 1;
/** The data directory's files that are not in the database and that a restored node needs. */
export const DATA_DIR_FILES = ["master.key", "checkpoint-key.pem", "checkpoints.jsonl"] as const;
const FETCH_ROWS = 2000;

export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  files: string[];
  migrations: number;
  bytes: number;
}

/** The tables to back up and restore: every ordinary or partitioned table of the schema (not partitions). */
export async function backupTables(c: pg.ClientBase): Promise<string[]> {
  const r = await c.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
  );
  return r.rows.map((x) => x.relname);
}

/** A table's columns that take a value on insert (not dropped, not generated), in their order. */
export async function insertableColumns(c: pg.ClientBase, table: string): Promise<string[]> {
  const r = await c.query<{ attname: string }>(
    `SELECT a.attname FROM pg_attribute a
      WHERE a.attrelid = format('%I.%I', current_schema(), $1::text)::regclass AND a.attnum > 0
        AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [table],
  );
  return r.rows.map((x) => x.attname);
}

/** The schema's sequences (identity and serial columns). */
export async function schemaSequences(c: pg.ClientBase): Promise<string[]> {
  const r = await c.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname`,
  );
  return r.rows.map((x) => x.relname);
}

export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function* lines(client: pg.PoolClient, dataDir: string, summary: BackupSummary): AsyncGenerator<string> {
  const hash = createHash("sha256");
  const emit = (line: string) => {
    hash.update(line + "\n");
    return line;
  };
  // Files first: a checkpoint read now names chain heads that the later snapshot contains.
  const files: string[] = [];
  for (const name of DATA_DIR_FILES) {
    const path = join(dataDir, name);
    if (!existsSync(path)) continue;
    files.push(name);
  }
  const fileLines = files.map((name) => {
    const path = join(dataDir, name);
    return JSON.stringify({ kind: "file", name, mode: statSync(path).mode & 0o777, data: readFileSync(path).toString("base64") });
  });
  summary.files = files;

  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const migrations = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    summary.migrations = migrations.rowCount ?? 0;
    yield emit(
      JSON.stringify({
        kind: "header",
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        created_at: new Date().toISOString(),
        migrations: migrations.rows.map((m) => ({ name: m.migration_name, checksum: m.checksum })),
      }),
    );
    for (const l of fileLines) yield emit(l);
    for (const table of await backupTables(client)) {
      yield emit(JSON.stringify({ kind: "table", name: table, columns: await insertableColumns(client, table) }));
      let n = 0;
      await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quoteIdent(table)} t`);
      for (;;) {
        const batch = await client.query<{ j: string }>(`FETCH ${FETCH_ROWS} FROM backup_rows`);
        for (const row of batch.rows) yield emit(`["r",${row.j}]`);
        n += batch.rows.length;
        if (batch.rows.length < FETCH_ROWS) break;
      }
      await client.query("CLOSE backup_rows");
      summary.tables++;
      summary.rows += n;
      yield emit(JSON.stringify({ kind: "table_end", name: table, rows: n }));
    }
    // Sequences are not transactional: read after the rows, so each is at least what the rows used.
    for (const seq of await schemaSequences(client)) {
      const s = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quoteIdent(seq)}`);
      yield emit(JSON.stringify({ kind: "sequence", name: seq, last_value: s.rows[0].last_value, is_called: s.rows[0].is_called }));
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
  yield JSON.stringify({ kind: "trailer", tables: summary.tables, rows: summary.rows, sha256: hash.digest("hex") });
}

/** Writes the backup to `file` (through `<file>.partial`, renamed when complete: a failed backup leaves no file that looks whole). */
export async function writeBackup(pool: pg.Pool, dataDir: string, file: string): Promise<BackupSummary> {
  if (existsSync(file)) throw Object.assign(new Error(`${file} exists: a backup never overwrites a file`), { code: "EEXIST" });
  const summary: BackupSummary = { file, tables: 0, rows: 0, files: [], migrations: 0, bytes: 0 };
  const client = await pool.connect();
  const partial = `${file}.partial`;
  try {
    const source = Readable.from(
      (async function* () {
        for await (const l of lines(client, dataDir, summary)) yield l + "\n";
      })(),
    );
    await pipeline(source, createGzip(), createWriteStream(partial, { mode: 0o600, flags: "wx" }));
    renameSync(partial, file);
    summary.bytes = statSync(file).size;
    return summary;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    client.release();
  }
}
