/**
 * Generated JSON values for the audit verifier's serialisation tests (lib/audit/verify-range.test.ts
 * against canonicalJson, test/integration/audit-verify-copy.test.ts against PostgreSQL's jsonb text).
 */
/** A small deterministic generator (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  "a",
  "Z",
  "0",
  " ",
  '"',
  "\\",
  "/",
  "\n",
  "\r",
  "\t",
  "\b",
  "\f",
  "\u0001",
  "\u001f",
  "\u007f",
  "é",
  "ß",
  "\u2028",
  "\u2029",
  "€",
  "😀",
  "中",
  "\ud83d\ude00",
  "_",
  "-",
  "~",
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  1e21,
  1e-7,
  -1e21,
  123456789012345680000,
  0.1,
  1 / 3,
  2 ** 53,
  -(2 ** 53) - 2,
  5e-324,
  1.7976931348623157e308,
  100,
  1e20,
  0.000001,
];
/** Keys that need no escape and are in the BMP (the audit verifier's fast path sorts these itself). */
export const PLAIN_KEYS = ["abc", "abc ", "abc!", "abcde", "abcz", "request", "request_id", "requests", "a", "b", "A", "10", "9", "é", "\uffff", "z"];

const KEYS = [
  "",
  "a",
  "b",
  "A",
  "aa",
  "ab",
  "10",
  "9",
  "0",
  "01",
  "4294967295",
  "4294967294",
  "__proto__",
  "constructor",
  "é",
  "z",
  "Z",
  "😀",
  "\u0000x",
  "key with space",
  '"q"',
  // a shared prefix: jsonb puts the shorter first, code-unit order may not ("abcde" < "abcz"; "abc" < "abc " < "abc!")
  "abc",
  "abc ",
  "abc!",
  "abcde",
  "abcz",
  "request",
  "request_id",
  "requests",
];

/**
 * A random JSON value: nested objects and arrays, awkward keys and strings, numbers at the edges of their
 * text; its object keys drawn from `keys` when given.
 */
export function value(r: () => number, depth: number, keys?: readonly string[]): unknown {
  const k = r();
  if (depth > 3 || k < 0.45) {
    const p = r();
    if (p < 0.15) return null;
    if (p < 0.3) return r() < 0.5;
    if (p < 0.55) return NUMBERS[Math.floor(r() * NUMBERS.length)] * (r() < 0.3 ? Math.floor(r() * 1000) : 1);
    let s = "";
    const n = Math.floor(r() * 8);
    for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
    return s;
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1, keys));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const key = keys
      ? keys[Math.floor(r() * keys.length)]
      : r() < 0.6
        ? KEYS[Math.floor(r() * KEYS.length)]
        : String(CHARS[Math.floor(r() * CHARS.length)]) + Math.floor(r() * 50);
    Object.defineProperty(o, key, { value: value(r, depth + 1, keys), enumerable: true, writable: true, configurable: true });
  }
  return o;
}
