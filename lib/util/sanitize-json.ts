/**
 * PostgreSQL's jsonb refuses U+0000 and unpaired UTF-16 surrogates. Strings (and keys) reaching the
 * audit log are made storable first: NUL removed, lone surrogates replaced by U+FFFD. The hash is
 * computed over the sanitised value, so what is stored is exactly what was hashed.
 */
// eslint-disable-next-line no-control-regex
const NEEDS = /[\u0000\ud800-\udfff]/;

function fixString(s: string): string {
  if (!NEEDS.test(s)) return s;
  return s.replace(/\u0000/g, "").toWellFormed();
}

export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON value (scalars are 0). Stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH + 1): number {
  if (value === null || typeof value !== "object") return 0;
  if (limit <= 0) return 1;
  let max = 0;
  for (const v of Object.values(value as Record<string, unknown>)) {
    const d = jsonDepth(v, limit - 1);
    if (d > max) max = d;
    if (max >= limit) break;
  }
  return max + 1;
}

export function sanitizeJson<T>(value: T, depth = 0): T {
  if (typeof value === "string") return fixString(value) as T;
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const s = sanitizeJson(v, depth + 1);
      if (s !== v) changed = true;
      return s;
    });
    return (changed ? out : value) as T;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const nk = fixString(k);
    const nv = sanitizeJson(v, depth + 1);
    if (nk !== k || nv !== v) changed = true;
    out[nk] = nv;
  }
  return (changed ? out : value) as T;
}
