/**
 * Content hash of a tool definition, so that a changed definition (a "rug pull": same name, new
 * description or schema) is noticed. SHA-256 hex over the canonical JSON of exactly the fields that
 * describe the tool; anything else the server sends (_meta, icons, execution…) is ignored.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../util/canonical-json.ts";

export interface HashableToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

export function definitionHash(def: HashableToolDefinition): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = def;
  const content = canonicalJson({ name, title, description, inputSchema, outputSchema, annotations });
  return createHash("sha256").update(content, "utf8").digest("hex");
}
