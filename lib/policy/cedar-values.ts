/**
 * JSON → Cedar values for request context and entity attributes: integers within i64 stay Long,
 * other numbers become strings (Cedar has no floats), null and undefined members are dropped,
 * arrays become sets (their nulls dropped), objects become records.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";

const MAX_DEPTH = 32;

export function toCedarValue(v: unknown, depth = 0): cedar.CedarValueJson | undefined {
  if (v === null || v === undefined) return undefined;
  if (depth > MAX_DEPTH) return undefined;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isSafeInteger(v) ? v : String(v);
    case "bigint":
      return v.toString();
    case "object": {
      if (Array.isArray(v)) {
        const out: cedar.CedarValueJson[] = [];
        for (const x of v) {
          const c = toCedarValue(x, depth + 1);
          if (c !== undefined) out.push(c);
        }
        return out;
      }
      return toCedarRecord(v as Record<string, unknown>, depth + 1);
    }
    default:
      return undefined;
  }
}

export function toCedarRecord(obj: Record<string, unknown>, depth = 0): Record<string, cedar.CedarValueJson> {
  const out: Record<string, cedar.CedarValueJson> = {};
  for (const k of Object.keys(obj)) {
    // A record with an "__entity" or "__extn" key would be read as an entity/extension literal.
    if (k === "__entity" || k === "__extn" || k === "__expr") continue;
    const c = toCedarValue(obj[k], depth);
    if (c !== undefined) out[k] = c;
  }
  return out;
}
