/**
 * Keyset (cursor) pagination over any SQL source, driven by a TableState: the sort column plus a unique
 * id form the key, `after`/`before` cursors carry the key of the last/first row seen. Never OFFSET, so
 * page 1,000 of the audit log costs what page 1 costs (with an index on the sort column).
 */
import type { Queryable } from "../../db/pool.ts";
import type { Page, TableState } from "./definition.ts";
import { countRows, type ResultCount } from "./count.ts";

export type Bind = (value: unknown) => string;

export interface SortColumn {
  /** A NOT NULL expression (COALESCE nullable columns). */
  expr: string;
  type: "text" | "number" | "timestamp";
}

export interface KeysetSource {
  /** Columns to return (without the key columns, which are added). */
  select: string;
  from: string;
  /** Fixed conditions (e.g. "t.status <> 'x'"), with their parameters bound through `bind`. */
  where?: (bind: Bind) => string[];
  /** A unique column that breaks ties, and its SQL type. */
  id: { expr: string; cast: "uuid" | "text" | "bigint" };
  sorts: Record<string, SortColumn>;
  filters?: Record<string, (values: string[], bind: Bind) => string>;
  search?: (q: string, bind: Bind) => string;
}

const CAST: Record<SortColumn["type"], string> = { text: "text", number: "numeric", timestamp: "timestamptz" };

export function encodeCursor(sortValue: unknown, id: unknown): string {
  const v = sortValue instanceof Date ? sortValue.toISOString() : sortValue;
  return Buffer.from(JSON.stringify([v, String(id)])).toString("base64url");
}

export function decodeCursor(cursor: string): [string | number, string] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number") && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    // a malformed cursor is treated as no cursor
  }
  return null;
}

/** The source's fixed conditions, the state's filters and its search (what the page and its count share). */
function filterConditions(src: KeysetSource, state: TableState, bind: Bind): string[] {
  const conds = [...(src.where?.(bind) ?? [])];
  for (const [id, vals] of Object.entries(state.filters)) {
    const f = src.filters?.[id];
    if (f && vals.length) conds.push(f(vals, bind));
  }
  if (state.q && src.search) conds.push(src.search(state.q, bind));
  return conds;
}

export function buildKeysetSql(src: KeysetSource, state: TableState, pageSize: number): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const bind: Bind = (v) => {
    values.push(v);
    return `$${values.length}`;
  };
  const sort = src.sorts[state.sort.id] ?? Object.values(src.sorts)[0];
  const conds = filterConditions(src, state, bind);
  const cursor = state.cursor ? decodeCursor(state.cursor.value) : null;
  const backwards = !!cursor && state.cursor!.direction === "before";
  // Reading backwards flips the order; the page is reversed again below.
  const asc = (state.sort.dir === "asc") !== backwards;
  if (cursor) {
    const op = asc ? ">" : "<";
    conds.push(`(${sort.expr}, ${src.id.expr}) ${op} (${bind(cursor[0])}::${CAST[sort.type]}, ${bind(cursor[1])}::${src.id.cast})`);
  }
  const order = asc ? "ASC" : "DESC";
  const text = `SELECT ${src.select}, ${sort.expr} AS __sort, ${src.id.expr} AS __id FROM ${src.from}
    ${conds.length ? `WHERE ${conds.join(" AND ")}` : ""}
    ORDER BY ${sort.expr} ${order}, ${src.id.expr} ${order} LIMIT ${Math.max(1, Math.floor(pageSize)) + 1}`;
  return { text, values };
}

/** Turns the pageSize + 1 rows of buildKeysetSql into a page with its cursors. */
export function toPage<R extends { __sort: unknown; __id: unknown }>(rows: R[], state: TableState, pageSize: number): Page<Omit<R, "__sort" | "__id">> {
  const backwards = state.cursor?.direction === "before" && !!decodeCursor(state.cursor.value);
  const more = rows.length > pageSize;
  const kept = rows.slice(0, pageSize);
  if (backwards) kept.reverse();
  const firstRow = kept[0];
  const lastRow = kept[kept.length - 1];
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : !!state.cursor && !!decodeCursor(state.cursor.value);
  return {
    rows: kept.map(({ __sort: _s, __id: _i, ...rest }) => rest),
    next: hasNext && lastRow ? encodeCursor(lastRow.__sort, lastRow.__id) : null,
    prev: hasPrev && firstRow ? encodeCursor(firstRow.__sort, firstRow.__id) : null,
  };
}

/** One page of the list and (on another connection of the pool, at the same time) its result count. */
export async function runKeyset<R extends Record<string, unknown>>(q: Queryable, src: KeysetSource, state: TableState, pageSize: number): Promise<Page<R>> {
  const { text, values } = buildKeysetSql(src, state, pageSize);
  const [r, count] = await Promise.all([q.query(text, values), countKeyset(q, src, state)]);
  return { ...(toPage(r.rows as Array<R & { __sort: unknown; __id: unknown }>, state, pageSize) as unknown as Page<R>), count };
}

/** How many rows the state's filters and search match, whatever the page (exact up to a bound, lib/console/table/count.ts). */
export function countKeyset(q: Queryable, src: KeysetSource, state: TableState, upTo?: number): Promise<ResultCount> {
  const values: unknown[] = [];
  const conds = filterConditions(src, state, (v) => `$${values.push(v)}`);
  return countRows(q, src.from, conds.length ? conds.join(" AND ") : "TRUE", values, upTo);
}

/** An ILIKE pattern matching `q` anywhere, with LIKE's wildcards in `q` taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
