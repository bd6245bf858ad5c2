/**
 * JSON → Cedar values for directory (PIP) attributes: lib/policy/cedar-values with well-formed
 * entity references and extension values kept (directory data is written by admins and trusted).
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { toCedarRecord } from "../policy/cedar-values.ts";

export function directoryRecord(obj: Record<string, unknown>, depth = 0): Record<string, cedar.CedarValueJson> {
  return toCedarRecord(obj, depth, { keepReferences: true });
}
