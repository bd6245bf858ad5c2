/**
 * Creates a new committed SQL migration from the change in prisma/schema.prisma.
 *
 *   npm run db:diff -- <migration_name>
 *
 * The standard `prisma migrate dev` works too where the Prisma CLI can download its native schema engine;
 * on machines that cannot (no access to Prisma's binary host), this drives Prisma's own schema engine compiled to
 * wasm (@prisma/schema-engine-wasm, pinned to the CLI version) and diffs the schema snapshot taken at
 * the last migration against the current schema. The engine insists on a reachable database
 * (DATABASE_URL; any scratch PostgreSQL) but the diff itself does not read it.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseScriptArgs } from "../lib/util/command-line.ts";

const USAGE = `usage: npm run db:diff -- <migration_name>   (lowercase letters, digits, _)

Writes prisma/migrations/<timestamp>_<migration_name>/migration.sql from the change in prisma/schema.prisma
(DATABASE_URL: any scratch PostgreSQL; the diff does not read it).`;
const name = parseScriptArgs(USAGE, {}, { allowPositionals: true }).positionals[0];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(USAGE);
  process.exit(2);
}
// Loaded after the arguments are checked: `--help` needs no WebAssembly engine (nor its warning).
const { SchemaEngine } = await import("@prisma/schema-engine-wasm");
const { PrismaPg } = await import("@prisma/adapter-pg");
const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
const root = process.cwd();
const snapshotPath = join(root, "prisma/migrations/schema.snapshot.prisma");
const schemaPath = join(root, "prisma/schema.prisma");
const current = readFileSync(schemaPath, "utf8");
const previous = existsSync(snapshotPath) ? readFileSync(snapshotPath, "utf8") : null;

const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://127.0.0.1:5432/postgres" }));
const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", current]] }, () => {}, adapter);
const filters = { externalTables: [], externalEnums: [] };
const result = await engine.diff({
  from: previous ? { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: previous }] } : { tag: "empty" },
  to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: current }] },
  script: true,
  exitCode: null,
  filters,
});
const sql = (result as { stdout?: string }).stdout ?? "";
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log("No schema change: nothing to do.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(root, "prisma/migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "migration.sql"), sql);
writeFileSync(snapshotPath, current);
if (!existsSync(join(root, "prisma/migrations/migration_lock.toml"))) {
  writeFileSync(join(root, "prisma/migrations/migration_lock.toml"), 'provider = "postgresql"\n');
}
console.log(`Wrote ${dir}/migration.sql`);
