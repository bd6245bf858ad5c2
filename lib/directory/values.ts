/**
 * JSON → Cedar values for directory (PIP) attributes. Like lib/policy/cedar-values (integers stay
 * Long, other numbers become strings, null is dropped, arrays become sets, objects records), except
 * that an admin-written entity reference `{"__entity": {"type": "user", "id": "alice"}}` or extension
 * value `{"__extn": {"fn": "ip", "arg": "10.0.0.1"}}` is kept: directory data is trusted, and entity
 * references are how relationships (a todo's owner, a user's manager) are written.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";

const MAX_DEPTH = 32;

function isRef(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const inner = v[keys[0]] as Record<string, unknown> | null;
  if (!inner || typeof inner !== "object") return false;
  if (keys[0] === "__entity") return typeof inner.type === "string" && typeof inner.id === "string";
  if (keys[0] === "__extn") return typeof inner.fn === "string";
  return false;
}

export function directoryValue(v: unknown, depth = 0): cedar.CedarValueJson | undefined {
  if (v === null || v === undefined || depth > MAX_DEPTH) return undefined;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isSafeInteger(v) ? v : String(v);
    case "object": {
      if (Array.isArray(v)) {
        const out: cedar.CedarValueJson[] = [];
        for (const x of v) {
          const c = directoryValue(x, depth + 1);
          if (c !== undefined) out.push(c);
        }
        return out;
      }
      const o = v as Record<string, unknown>;
      if (isRef(o)) return o as cedar.CedarValueJson;
      return directoryRecord(o, depth + 1);
    }
    default:
      return undefined;
  }
}

export function directoryRecord(obj: Record<string, unknown>, depth = 0): Record<string, cedar.CedarValueJson> {
  const out: Record<string, cedar.CedarValueJson> = {};
  for (const k of Object.keys(obj)) {
    if (k === "__entity" || k === "__extn" || k === "__expr") continue;
    const c = directoryValue(obj[k], depth);
    if (c !== undefined) out[k] = c;
  }
  return out;
}
