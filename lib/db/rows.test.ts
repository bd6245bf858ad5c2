/**
 * The naming convention lib/db/rows.ts derives SQL names from: every column of prisma/schema.prisma
 * is its field's name in snake_case, every table its model's name in snake_case, plural. A column
 * renamed with @map alone would slip past `tsc`; this test refuses it (rename the field as well).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const schema = readFileSync(join(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const plural = (s: string) => (/[^aeiou]y$/.test(s) ? `${s.slice(0, -1)}ies` : `${s}s`);
const tableOf = (model: string) => plural(snake(model[0].toLowerCase() + model.slice(1)));

interface Model {
  name: string;
  table: string | null;
  columns: Array<{ field: string; column: string }>;
}

function models(): Model[] {
  const out: Model[] = [];
  const names = new Set([...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]));
  for (const m of schema.matchAll(/^model (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const columns: Model["columns"] = [];
    let table: string | null = null;
    for (const raw of m[2].split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      const t = /^@@map\("([^"]+)"\)/.exec(line);
      if (t) table = t[1];
      const f = /^(\w+)\s+(\w+)(\[\])?\??(.*)$/.exec(line);
      if (!f || line.startsWith("@@")) continue;
      if (names.has(f[2])) continue; // a relation, not a column
      const mapped = /@map\("([^"]+)"\)/.exec(f[4]);
      columns.push({ field: f[1], column: mapped ? mapped[1] : f[1] });
    }
    out.push({ name: m[1], table, columns });
  }
  return out;
}

describe("schema.prisma naming (what lib/db/rows.ts derives SQL names from)", () => {
  const all = models();

  it("reads every model", () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.find((m) => m.name === "User")?.columns.map((c) => c.field)).toContain("passwordHash");
  });

  it("names each column after its field in snake_case", () => {
    const wrong = all.flatMap((m) =>
      m.columns.filter((c) => c.column !== snake(c.field)).map((c) => `${m.name}.${c.field} → ${c.column} (expected ${snake(c.field)})`),
    );
    expect(wrong).toEqual([]);
  });

  it("names each table after its model in snake_case, plural", () => {
    const wrong = all.filter((m) => m.table !== tableOf(m.name)).map((m) => `${m.name} → ${m.table} (expected ${tableOf(m.name)})`);
    expect(wrong).toEqual([]);
  });
});
