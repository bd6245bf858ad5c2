/**
 * "What is decided is what runs" (DESIGN.md, Guarantees): what Mandate stores, hashes, decides,
 * approves, receipts — and what the gateway forwards — is exactly the JSON the caller sent. Input that
 * some layer would represent differently is refused, never normalised. One walk over a parsed body
 * finds the first offence and names its path printably (`arguments["path\u0000"]`).
 *
 * Body rules (every JSON body of the native API and of AuthZEN):
 *   - no U+0000 and no unpaired UTF-16 surrogate in any string or member name (PostgreSQL's jsonb
 *     cannot hold them, so they used to be removed/replaced: two keys could become one);
 *   - no member named `__proto__` (JavaScript assignment turns it into a prototype, dropping it);
 *   - no member name twice in one object of the raw text (JSON.parse keeps the last, other parsers the
 *     first): counted from the text, located only when there is one (`findDuplicateMember`);
 *   - every number finite (an overflowing literal such as 1e400 parses to Infinity, which JSON, the
 *     hash and the audit log write as null);
 *   - nesting at most MAX_JSON_DEPTH levels.
 * Argument rules, in addition, for tool arguments and AuthZEN properties and context (what reaches
 * Cedar):
 *   - nesting at most MAX_ARGUMENT_DEPTH levels (the argument object is level 1): everything within is
 *     read by the Cedar conversion (lib/policy/cedar-values.ts), nothing is dropped for depth;
 *   - no `__entity`, `__extn` or `__expr` member (Cedar's JSON format would read them as an entity
 *     reference, an extension value or an expression: the conversion drops them);
 *   - no two member names of one object equal after normalisation: NFKC, removal of default-ignorable
 *     code points, and case folding. Mandate, jsonb and Cedar compare keys exactly, but tools do not
 *     (Go's encoding/json matches struct fields case-insensitively, Swift compares strings by canonical
 *     equivalence) and a reviewer reading the audit log cannot tell such keys apart.
 *
 * Cost on clean input: one walk over the value with no allocation (for-in over JSON.parse objects,
 * native includes/isWellFormed on strings, an O(n²) compare of an argument object's ASCII member names
 * up to 32 members; names that are not ASCII, and larger objects, take a Map of folded names), and
 * one scan of the text outside strings for the member count. Measured on this machine's 262-byte
 * decision body: ~0.9 µs of CPU (JSON.parse of it: ~1.1 µs), against ~1.5 µs for the depth walk and
 * sanitiser it replaces.
 */

export const MAX_JSON_DEPTH = 64;
export const MAX_ARGUMENT_DEPTH = 32;

export interface Inexact {
  /** Printable path of the offending value or member, e.g. `arguments["path\u0000"]`, `(body)` for the root. */
  path: string;
  message: string;
  /** `too_deep` for nesting, `invalid_request` for everything else. */
  code: "too_deep" | "invalid_request";
}

type Seg = string | number;
interface Failure {
  /** Path segments, innermost first (pushed while the walk unwinds). */
  segs: Seg[];
  message: string;
  code: Inexact["code"];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const SMALL_OBJECT = 32;

/** Members counted by the last walk (every own member of every object), for the duplicate check. */
let members = 0;

function fail(message: string, code: Inexact["code"] = "invalid_request", seg?: Seg): Failure {
  return { segs: seg === undefined ? [] : [seg], message, code };
}

function stringProblem(s: string): string | null {
  // Both native and fast (isWellFormed is O(1) on one-byte strings); the messages only on a hit.
  if (!s.includes("\u0000") && s.isWellFormed()) return null;
  if (s.includes("\u0000")) return "contains U+0000 (NUL), which cannot be stored or passed on exactly";
  if (!s.isWellFormed()) return "contains an unpaired UTF-16 surrogate, which cannot be stored or passed on exactly";
  return null;
}

function keyProblem(k: string, inArguments: boolean): string | null {
  if (k === "__proto__") return "a member named __proto__ is not accepted (JavaScript would drop it)";
  if (inArguments && k.charCodeAt(0) === 95 && k.charCodeAt(1) === 95 && (k === "__entity" || k === "__extn" || k === "__expr")) {
    return `a member named ${k} is not accepted in arguments (Cedar would read it as an entity reference, extension value or expression)`;
  }
  return stringProblem(k);
}

/**
 * `level`: nesting of `v`'s parent (the body root's parent is 0). `argLevel`: the same counted from
 * the argument object's parent, or -1 outside arguments. `argumentFields`: members of the root object
 * that are arguments (only consulted at the root).
 */
function walk(v: unknown, level: number, argLevel: number, argumentFields: readonly string[] | null): Failure | null {
  switch (typeof v) {
    case "string": {
      const p = stringProblem(v);
      return p ? fail(p) : null;
    }
    case "number":
      return v - v === 0 ? null : fail("is not a finite number (JSON cannot hold it exactly)");
    case "object":
      if (v === null) return null;
      break;
    default:
      return null;
  }
  level++;
  if (level > MAX_JSON_DEPTH) return fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, "too_deep");
  if (argLevel >= 0) {
    argLevel++;
    if (argLevel > MAX_ARGUMENT_DEPTH) return fail(`arguments nested deeper than ${MAX_ARGUMENT_DEPTH} levels (what policies can read)`, "too_deep");
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = walk(v[i], level, argLevel, null);
      if (f) {
        f.segs.push(i);
        return f;
      }
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  const inArguments = argLevel >= 0;
  if (inArguments) {
    const f = keysOfArguments(o);
    if (f) return f;
  }
  for (const k in o) {
    members++;
    if (!inArguments) {
      const p = keyProblem(k, false);
      if (p) return fail(p, "invalid_request", k);
    }
    const childArgLevel = argLevel >= 0 ? argLevel : argumentFields !== null && level === 1 && argumentFields.includes(k) ? 0 : -1;
    const f = walk(o[k], level, childArgLevel, null);
    if (f) {
      f.segs.push(k);
      return f;
    }
  }
  return null;
}

/** Member names of an argument object: each one acceptable, no two the same after normalisation. */
function keysOfArguments(o: Record<string, unknown>): Failure | null {
  let n = 0;
  let ascii = true;
  for (const k in o) {
    const p = keyProblem(k, true);
    if (p) return fail(p, "invalid_request", k);
    n++;
    if (ascii && !isAscii(k)) ascii = false;
  }
  if (n < 2) return null;
  if (ascii && n <= SMALL_OBJECT) {
    for (const k in o) {
      for (const j in o) {
        if (j === k) break;
        if (j.length === k.length && asciiEqualIgnoringCase(j, k)) return fail(collision(j), "invalid_request", k);
      }
    }
    return null;
  }
  const seen = new Map<string, string>();
  for (const k in o) {
    const f = ascii ? k.toLowerCase() : fold(k);
    const earlier = seen.get(f);
    if (earlier !== undefined) return fail(collision(earlier), "invalid_request", k);
    seen.set(f, k);
  }
  return null;
}

function collision(earlier: string): string {
  return `is the same key as "${escapePrintable(earlier)}" once normalised (Unicode NFKC, letter case, invisible characters): a tool may read either`;
}

function isAscii(k: string): boolean {
  for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) > 0x7f) return false;
  return true;
}

function asciiEqualIgnoringCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const lx = x | 0x20;
    if (lx !== (y | 0x20) || lx < 0x61 || lx > 0x7a) return false;
  }
  return true;
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The normal form member names are compared in: NFKC, no default-ignorables, case-folded (full folding via upper then lower case). */
export function foldKey(k: string): string {
  return k.normalize("NFKC").replace(IGNORABLE, "").toUpperCase().toLowerCase().normalize("NFKC");
}
const fold = foldKey;

function escapePrintable(k: string): string {
  return JSON.stringify(k)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function formatPath(root: string, segs: readonly Seg[]): string {
  let out = root;
  for (const s of segs) {
    if (typeof s === "number") out += `[${s}]`;
    else if (IDENT.test(s)) out += out ? `.${s}` : s;
    else out += `["${escapePrintable(s)}"]`;
  }
  return out || "(body)";
}

function toInexact(f: Failure, root: string): Inexact {
  return { path: formatPath(root, f.segs.reverse()), message: f.message, code: f.code };
}

/**
 * The body rules over a parsed body (and the argument rules over the root members named in
 * `argumentFields`). With the body's `text`, also refuses a member name given twice in one object.
 */
export function findInexactBody(value: unknown, text: string | null, argumentFields: readonly string[] | null = null): Inexact | null {
  members = 0;
  const f = walk(value, 0, -1, argumentFields);
  if (f) return toInexact(f, "");
  if (text !== null && countMemberNames(text) !== members) {
    return findDuplicateMember(text) ?? { path: "(body)", message: "a member name appears more than once in one object", code: "invalid_request" };
  }
  return null;
}

/** The body and argument rules over one argument value (already parsed), named `path` in the answer. */
export function findInexactArguments(value: unknown, path: string): Inexact | null {
  const f = walk(value, 0, 0, null);
  return f ? toInexact(f, path) : null;
}

/**
 * Member names in valid JSON text: the `:` outside strings. Fewer members in the parsed value means
 * JSON.parse merged duplicates. Structural characters are read one by one; strings are skipped with
 * indexOf (a long string costs one native scan).
 */
export function countMemberNames(text: string): number {
  let n = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) n++;
    else if (c === 34) {
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j === -1) return n; // not valid JSON: the parser refused it already
        let b = j - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((j - 1 - b) % 2 === 0) break; // an even run of backslashes: this quote closes the string
      }
      i = j;
    }
  }
  return n;
}

/** Locates the first member name given twice in one object of valid JSON text (the slow path). */
export function findDuplicateMember(text: string): Inexact | null {
  let i = 0;
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const str = (): string => {
    const start = i;
    for (i++; ; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34 || Number.isNaN(c)) break;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (segs: Seg[]): Inexact | null => {
    ws();
    const c = text.charCodeAt(i);
    if (c === 123) {
      i++;
      const seen = new Set<string>();
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        return null;
      }
      for (;;) {
        ws();
        const k = str();
        if (seen.has(k))
          return {
            path: formatPath("", [...segs, k]),
            message: "appears more than once in this object (parsers disagree on which one counts)",
            code: "invalid_request",
          };
        seen.add(k);
        ws();
        i++; // ':'
        const f = value([...segs, k]);
        if (f) return f;
        ws();
        if (text.charCodeAt(i++) !== 44) return null; // '}'
      }
    }
    if (c === 91) {
      i++;
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        return null;
      }
      for (let n = 0; ; n++) {
        const f = value([...segs, n]);
        if (f) return f;
        ws();
        if (text.charCodeAt(i++) !== 44) return null; // ']'
      }
    }
    if (c === 34) {
      str();
      return null;
    }
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 9 || d === 10 || d === 13) break;
      i++;
    }
    return null;
  };
  return value([]);
}
