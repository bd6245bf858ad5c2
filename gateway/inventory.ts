/**
 * Listing an upstream's tools (all pages) and reporting them to Mandate's inventory. A server's tool set
 * is reported again only when it changed since this process last reported it successfully.
 */
import { createHash } from "node:crypto";
import { ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { toolRef, type PromptDefinition, type ResourceDefinition, type ToolDefinition } from "../lib/api/schemas.ts";
import { canonicalJson, definitionHash } from "./canonical.ts";
import type { MandateClient } from "./mandate-client.ts";
import { PromiseCache } from "../lib/util/promise-cache.ts";
import type { Upstream } from "./upstream.ts";

export type RawTool = Record<string, unknown> & { name: string };

const MAX_PAGES = 100;

export async function listUpstreamTools(up: Upstream, timeoutMs: number, signal?: AbortSignal): Promise<RawTool[]> {
  const tools: RawTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await up.client.request(cursor === undefined ? { method: "tools/list" } : { method: "tools/list", params: { cursor } }, ResultSchema, {
      timeout: timeoutMs,
      signal,
    });
    const list = (res as { tools?: unknown }).tools;
    if (Array.isArray(list)) {
      for (const t of list) if (t && typeof t === "object" && typeof (t as RawTool).name === "string") tools.push(t as RawTool);
    }
    const next = (res as { nextCursor?: unknown }).nextCursor;
    if (typeof next !== "string" || next.length === 0) break;
    cursor = next;
  }
  return tools;
}

/** Whether Mandate can name this tool (its tool names are letters, digits, _ . / - only, up to 128). */
export function isGovernableName(name: string): boolean {
  return toolRef.shape.name.safeParse(name).success;
}

export function toDefinition(t: RawTool): ToolDefinition {
  const annotations = t.annotations && typeof t.annotations === "object" ? (t.annotations as ToolDefinition["annotations"]) : undefined;
  const title = typeof t.title === "string" ? t.title : typeof annotations?.title === "string" ? annotations.title : undefined;
  const inputSchema = t.inputSchema && typeof t.inputSchema === "object" ? (t.inputSchema as Record<string, unknown>) : { type: "object" };
  const def: ToolDefinition = {
    name: t.name,
    inputSchema,
    definition_hash: definitionHash({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      annotations: t.annotations,
    }),
  };
  if (title !== undefined) def.title = title;
  if (typeof t.description === "string") def.description = t.description;
  if (t.outputSchema && typeof t.outputSchema === "object") def.outputSchema = t.outputSchema as Record<string, unknown>;
  if (annotations) def.annotations = annotations;
  return def;
}

/** Remembers what was reported, per server, so an unchanged tool set costs no request. */
export class InventoryCache {
  private readonly reported = new Map<string, string>();
  private readonly inFlight = new PromiseCache<void>({ keepSettled: false });

  /**
   * Reports resources (URIs and URI templates) or prompts a list returned: every page is reported (an
   * inventory report only adds and updates), and a page already reported unchanged costs no request.
   */
  async reportItems(mandate: MandateClient, server: string, items: { resources?: ResourceDefinition[]; prompts?: PromptDefinition[] }): Promise<void> {
    const digest = createHash("sha256").update(canonicalJson(items)).digest("hex");
    const slot = `${server}\0${items.resources ? "resources" : "prompts"}\0${digest}`;
    if (this.reported.has(slot)) return;
    await this.inFlight.get(slot, async () => {
      await mandate.reportInventory({ server, tools: [], ...items });
      if (this.reported.size > 10_000) this.reported.clear();
      this.reported.set(slot, "");
    });
  }

  /**
   * Makes a server known to the inventory before anything of it is listed (its initialize is decided
   * on it): an empty report, which adds the server and changes none of its items. Once per process.
   */
  async announce(mandate: MandateClient, server: string): Promise<void> {
    const slot = `${server}\0announced`;
    if (this.reported.has(slot)) return;
    await this.inFlight.get(slot, async () => {
      await mandate.reportInventory({ server, tools: [] });
      this.reported.set(slot, "");
    });
  }

  async report(mandate: MandateClient, server: string, tools: RawTool[]): Promise<void> {
    const defs = tools.filter((t) => isGovernableName(t.name)).map(toDefinition);
    const digest = canonicalJson(defs.map((d) => [d.name, d.definition_hash]));
    if (this.reported.get(server) === digest) return;
    const key = `${server}\0${digest}`;
    await this.inFlight.get(key, async () => {
      await mandate.reportInventory({ server, tools: defs });
      this.reported.set(server, digest);
    });
  }
}
