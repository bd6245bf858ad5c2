/**
 * JSON → Cedar values for request context and entity attributes: integers within i64 stay Long,
 * other numbers become strings (Cedar has no floats), null and undefined members are dropped,
 * arrays become sets (their nulls dropped), objects become records.
 *
 * A record shaped like an entity reference `{"__entity": {type, id}}` or an extension value
 * `{"__extn": {fn, arg}}` would be read by Cedar as such. Untrusted input (tool arguments, PEP
 * properties) must not forge those: requests holding such keys are refused as they are parsed
 * (lib/util/exact-json.ts), and the conversion still drops them. Trusted, admin-written directory data
 * keeps well-formed ones (`keepReferences`): that is how relationships (a todo's owner, a user's
 * manager) are written.
 *
 * Depth: values deeper than MAX_DEPTH are dropped. Arguments are refused beyond MAX_ARGUMENT_DEPTH
 * levels, within which every value is read (the argument object's members are at depth 0, a value in
 * the deepest accepted container at depth MAX_ARGUMENT_DEPTH - 1).
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { MAX_ARGUMENT_DEPTH } from "../util/exact-json.ts";

const MAX_DEPTH = MAX_ARGUMENT_DEPTH;

export interface CedarValueOptions {
  keepReferences?: boolean;
}

function isReference(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const inner = v[keys[0]] as Record<string, unknown> | null;
  if (!inner || typeof inner !== "object") return false;
  if (keys[0] === "__entity") return typeof inner.type === "string" && typeof inner.id === "string";
  if (keys[0] === "__extn") return typeof inner.fn === "string";
  return false;
}

export function toCedarValue(v: unknown, depth = 0, opts: CedarValueOptions = {}): cedar.CedarValueJson | undefined {
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
          const c = toCedarValue(x, depth + 1, opts);
          if (c !== undefined) out.push(c);
        }
        return out;
      }
      const o = v as Record<string, unknown>;
      if (opts.keepReferences && isReference(o)) return o as cedar.CedarValueJson;
      return toCedarRecord(o, depth + 1, opts);
    }
    default:
      return undefined;
  }
}

export function toCedarRecord(obj: Record<string, unknown>, depth = 0, opts: CedarValueOptions = {}): Record<string, cedar.CedarValueJson> {
  const out: Record<string, cedar.CedarValueJson> = {};
  for (const k of Object.keys(obj)) {
    if (k === "__entity" || k === "__extn" || k === "__expr") continue;
    const c = toCedarValue(obj[k], depth, opts);
    if (c !== undefined) out[k] = c;
  }
  return out;
}
