/**
 * A table's filters, sorts and search, defined once and shared by the server (which maps them to SQL in
 * keyset.ts) and the client (which renders the filter bar and sortable headers). Plain data only, so a
 * definition can be passed from a server component to a client island.
 *
 * The table state lives in the URL: `sort`, `dir`, `q`, `after`/`before` (keyset cursors) and one
 * parameter per filter id (comma-separated for multi-value filters).
 */
import { legacyTimeParams } from "../../analytics/time-range.ts";
import type { ResultCount } from "./count.ts";

export type SortDir = "asc" | "desc";

export interface FilterOption {
  value: string;
  label: string;
}

export interface FilterDef {
  id: string;
  label: string;
  /** select: one value; multi: any number (rows matching any/all is the SQL mapping's choice). */
  kind: "select" | "multi";
  options: FilterOption[];
}

export interface SortDef {
  id: string;
  label: string;
  /** Direction of the first click on an unsorted column (default: desc, e.g. newest or most first). */
  firstDir?: SortDir;
}

export interface TableDefinition {
  id: string;
  filters: FilterDef[];
  sorts: SortDef[];
  defaultSort: { id: string; dir: SortDir };
  search?: { placeholder: string };
  pageSize: number;
  /**
   * The page has a time range (the range picker: `range`/`from`/`to` in the URL, validated and applied by
   * lib/console/table/range.ts on the server); `label` names what the range bounds.
   */
  range?: { label: string };
}

/**
 * Page parameters a table keeps when its filters, sort or page change (raw text; each page validates
 * what it uses): the time range and the auto-refresh period.
 */
export const KEPT_PARAMS = ["range", "from", "to", "refresh"] as const;

export interface TableState {
  sort: { id: string; dir: SortDir };
  filters: Record<string, string[]>;
  q: string;
  /** Keyset cursor and which way to page from it. */
  cursor: { value: string; direction: "after" | "before" } | null;
  /** KEPT_PARAMS present in the URL. */
  extra?: Record<string, string>;
}

export type SearchParams = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Reads the state from URL parameters; unknown sorts, filter values and junk are ignored, never trusted. */
export function parseTableState(def: TableDefinition, sp: SearchParams): TableState {
  const sortId = first(sp.sort);
  const sort = def.sorts.some((s) => s.id === sortId) ? sortId! : def.defaultSort.id;
  const dirRaw = first(sp.dir);
  const dir: SortDir = dirRaw === "asc" || dirRaw === "desc" ? dirRaw : sort === def.defaultSort.id ? def.defaultSort.dir : "asc";
  const filters: Record<string, string[]> = {};
  for (const f of def.filters) {
    const raw = sp[f.id];
    const values = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((x) => x.split(",")).map((x) => x.trim());
    const allowed = new Set(f.options.map((o) => o.value));
    const kept = [...new Set(values.filter((v) => allowed.has(v)))];
    if (kept.length) filters[f.id] = f.kind === "select" ? kept.slice(0, 1) : kept;
  }
  const q = (first(sp.q) ?? "").trim().slice(0, 200);
  const after = first(sp.after);
  const before = first(sp.before);
  const cursor = after ? { value: after, direction: "after" as const } : before ? { value: before, direction: "before" as const } : null;
  const extra: Record<string, string> = {};
  for (const k of KEPT_PARAMS) {
    const v = first(sp[k])?.trim();
    if (v) extra[k] = v.slice(0, 100);
  }
  // Links of earlier versions name the range as `time=<preset>` or `time=<from>~<to>`.
  const legacy = first(sp.time)?.trim();
  if (legacy && def.range && !extra.range && !extra.from && !extra.to) Object.assign(extra, legacyTimeParams(legacy.slice(0, 100)));
  return { sort: { id: sort, dir }, filters, q, cursor, ...(Object.keys(extra).length ? { extra } : {}) };
}

/** URL parameters for a state (without cursor unless given): the inverse of parseTableState. */
export function tableStateToParams(def: TableDefinition, state: TableState): URLSearchParams {
  const p = new URLSearchParams();
  const isDefault = state.sort.id === def.defaultSort.id && state.sort.dir === def.defaultSort.dir;
  if (!isDefault) {
    p.set("sort", state.sort.id);
    p.set("dir", state.sort.dir);
  }
  for (const f of def.filters) {
    const v = state.filters[f.id];
    if (v?.length) p.set(f.id, v.join(","));
  }
  if (state.q) p.set("q", state.q);
  for (const [k, v] of Object.entries(state.extra ?? {})) p.set(k, v);
  if (state.cursor) p.set(state.cursor.direction, state.cursor.value);
  return p;
}

export interface Page<T> {
  rows: T[];
  /** Cursor for the next page (pass as `after`), or null on the last page. */
  next: string | null;
  /** Cursor for the previous page (pass as `before`), or null on the first page. */
  prev: string | null;
  /** How many rows the filters match over all pages (lib/console/table/count.ts), when the list counts them. */
  count?: ResultCount;
}
