/** Canonical JSON (sorted keys, no whitespace) and the tool definition hash the gateway reports. */
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** sha256 over the canonical JSON of the parts of a tool definition that matter for governance. */
export function definitionHash(tool: {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  const digest = createHash("sha256")
    .update(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations }))
    .digest("hex");
  return `sha256:${digest}`;
}
