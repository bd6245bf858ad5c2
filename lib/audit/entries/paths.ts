/**
 * JSON paths into `audit_entries.data` for SQL, named once next to the schema they read: a path is
 * checked against the schema's type, so a field renamed in a schema fails `tsc` where it is read.
 *
 *   const at = dataPaths<DecisionData>();
 *   at("shadow", "decision").text()     →  data->'shadow'->>'decision'
 *   at("reasons").json("e")             →  e.data->'reasons'
 */

/** Every key path into T (array elements by index), up to 5 keys deep. */
export type PathOf<T, Depth extends unknown[] = []> = Depth["length"] extends 5
  ? never
  : T extends readonly (infer E)[]
    ? [number] | [number, ...PathOf<E, [...Depth, unknown]>]
    : T extends object
      ? { [K in keyof T & string]-?: [K] | [K, ...PathOf<NonNullable<T[K]>, [...Depth, unknown]>] }[keyof T & string]
      : never;

export interface DataPath {
  readonly keys: readonly (string | number)[];
  /** The value as jsonb (`->` all the way). */
  json(table?: string): string;
  /** The value as text (`->>` for the last key). */
  text(table?: string): string;
  /** The same path read in JavaScript from an entry's `data` (undefined when absent). */
  get(data: unknown): unknown;
}

const KEY = /^[a-z_][a-z0-9_]*$/;

function render(keys: readonly (string | number)[], table: string | undefined, asText: boolean): string {
  let out = table ? `${table}.data` : "data";
  keys.forEach((k, i) => {
    out += i === keys.length - 1 && asText ? "->>" : "->";
    out += typeof k === "number" ? String(k) : `'${k}'`;
  });
  return out;
}

function read(keys: readonly (string | number)[], data: unknown): unknown {
  let v = data;
  for (const k of keys) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** A path builder for entries whose `data` has type T. */
export function dataPaths<T>() {
  return <const P extends PathOf<T>>(...keys: P): DataPath => {
    for (const k of keys) {
      if (typeof k === "number" ? !Number.isInteger(k) || k < 0 : !KEY.test(k)) throw new Error(`not a data path key: ${String(k)}`);
    }
    const frozen = Object.freeze([...keys]);
    return { keys: frozen, json: (table) => render(frozen, table, false), text: (table) => render(frozen, table, true), get: (data) => read(frozen, data) };
  };
}
