/**
 * Canonical JSON (in the spirit of RFC 8785): object keys sorted by code unit, no whitespace,
 * `undefined` members dropped, non-finite numbers as null. Used for hashes that must be recomputed
 * from stored content (audit chain, tool definitions, argument hashes).
 *
 * On the decision path this runs for every audit entry and argument hash, so the common case is
 * native: a read-only pass checks that every object's keys are already in order (then JSON.stringify
 * writes the value as it is: ~3 µs for a decision's audit entry, against ~10 µs when it was copied);
 * otherwise one pass puts every object's keys in order (copying only objects whose keys are not
 * already sorted), then JSON.stringify writes it — JSON.stringify agrees with the canonical form on plain
 * data once keys are sorted. Values JSON.stringify treats differently (bigint, dates, anything with
 * toJSON, functions, symbols, class instances) take the reference implementation instead.
 */
export function canonicalJson(value: unknown): string {
  // Most values on the decision path are already in canonical order (the audit entry builders write
  // their keys sorted): one read-only check, and JSON.stringify writes them as they are.
  if (inOrderDeep(value)) return JSON.stringify(value) ?? "null";
  const sorted = sortKeysDeep(value);
  if (sorted === UNSUPPORTED) return canonicalJsonReference(value);
  return JSON.stringify(sorted) ?? "null";
}

const UNSUPPORTED = Symbol("unsupported");

/**
 * Whether JSON.stringify(value) already is the canonical form: plain data (strings, numbers, booleans,
 * null, undefined, arrays, plain or null-prototype objects without toJSON) whose every object has its
 * own keys in code-unit order. Allocates nothing; anything else answers false (and takes sortKeysDeep).
 */
function inOrderDeep(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "undefined":
      return true;
    case "object":
      if (value === null) return true;
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inOrderDeep(value[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === "function") return false;
  let prev: string | null = null;
  for (const k in obj) {
    // Index keys enumerate first in numeric order ("9" before "10"): out of code-unit order, caught here.
    if ((prev !== null && !(prev < k)) || !Object.hasOwn(obj, k)) return false;
    prev = k;
    if (!inOrderDeep(obj[k])) return false;
  }
  return true;
}

/** `value` with every object's keys sorted (the same object where already sorted), or UNSUPPORTED. */
function sortKeysDeep(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "undefined":
      return value;
    case "object":
      break;
    default:
      return UNSUPPORTED; // bigint, function, symbol
  }
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]; // a hole reads as undefined and is written as null, as the reference does
      const s = sortKeysDeep(v);
      if (s === UNSUPPORTED) return UNSUPPORTED;
      if (s !== v) {
        out ??= value.slice();
        out[i] = s;
      }
    }
    return out ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNSUPPORTED;
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === "function") return UNSUPPORTED;
  const keys = Object.keys(obj);
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      inOrder = false;
      break;
    }
  }
  // Array-index keys ("0", "10") always enumerate first, in numeric order: an object cannot hold
  // them in code-unit order ("10" < "9"), so such objects take the reference path.
  if (!inOrder && keys.some(isIndexKey)) return UNSUPPORTED;
  // Null-prototype records, so that a "__proto__" key stays an ordinary key.
  let changed: Record<string, unknown> | null = null;
  for (const k of keys) {
    const v = obj[k];
    const s = sortKeysDeep(v);
    if (s === UNSUPPORTED) return UNSUPPORTED;
    if (s !== v) (changed ??= Object.create(null) as Record<string, unknown>)[k] = s;
  }
  if (inOrder && !changed) return value;
  // A plain object (JSON.stringify writes those much faster than null-prototype ones, which V8 keeps
  // as dictionaries), unless a "__proto__" key must stay an ordinary key.
  const out = (keys.includes("__proto__") ? Object.create(null) : {}) as Record<string, unknown>;
  for (const k of inOrder ? keys : [...keys].sort()) out[k] = changed && k in changed ? changed[k] : obj[k];
  return out;
}

function isIndexKey(k: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/** The definition, written out: every value, key by key. */
export function canonicalJsonReference(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (Array.isArray(value)) return `[${Array.from(value, (v) => (v === undefined ? "null" : canonicalJsonReference(v))).join(",")}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJsonReference(obj[k])}`).join(",")}}`;
    }
    default:
      return "null";
  }
}
