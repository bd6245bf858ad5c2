/**
 * Canonical JSON and the tool definition hash the gateway reports: the same functions Mandate uses
 * (lib/util/canonical-json.ts, lib/inventory/definition-hash.ts), so both sides hash a definition alike.
 */
import { canonicalJson } from "../lib/util/canonical-json.ts";
import { definitionHash as definitionDigest, type HashableToolDefinition } from "../lib/inventory/definition-hash.ts";

export { canonicalJson };

/** `sha256:<hex>` over the canonical JSON of the parts of a tool definition that matter for governance. */
export function definitionHash(tool: {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}): string {
  return `sha256:${definitionDigest(tool as HashableToolDefinition)}`;
}
