/**
 * PostgreSQL's jsonb refuses U+0000 and unpaired UTF-16 surrogates. The audit chain makes the strings
 * (and keys) of entries it did not get from a validated request storable: NUL removed, lone surrogates
 * replaced by U+FFFD; the hash is computed over the sanitised value, so what is stored is exactly what
 * was hashed. Request bodies are never sanitised: they are refused (lib/util/exact-json.ts).
 */
const NEEDS = /[\u0000\ud800-\udfff]/;

function fixString(s: string): string {
  if (!NEEDS.test(s)) return s;
  return s.replace(/\u0000/g, "").toWellFormed();
}

export function sanitizeJson<T>(value: T, depth = 0): T {
  if (typeof value === "string") return fixString(value) as T;
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = (value as unknown[]).map((v) => {
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
