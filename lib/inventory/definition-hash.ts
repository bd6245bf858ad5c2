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

/** The fields of a resource (or URI-template family) and of a prompt that describe it; anything else (_meta, icons…) is ignored. */
export function resourceDefinitionFields(r: Record<string, unknown>): Record<string, unknown> {
  const { uri, uriTemplate, name, title, description, mimeType, annotations } = r;
  return { uri, uriTemplate, name, title, description, mimeType, annotations };
}
export function promptDefinitionFields(p: Record<string, unknown>): Record<string, unknown> {
  const { name, title, description, arguments: args } = p;
  return { name, title, description, arguments: args };
}

/** SHA-256 hex over the canonical JSON of a resource's or a prompt's defining fields. */
export function itemDefinitionHash(fields: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(fields), "utf8").digest("hex");
}
