/**
 * POST /api/v1/inventory: an enforcement agent reports the tools, resources (URIs and URI-template
 * families) and prompts a server lists. New items appear as `pending` with a suggested classification and its reasons (MCP annotations are untrusted hints); a
 * changed definition of an approved tool is flagged and goes back to `pending`. Every new or changed
 * definition is kept (for the console's diff) and audited.
 */
import { randomUUID } from "node:crypto";
import type { PromptDefinition, ResourceDefinition, ToolDefinition } from "../api/schemas.ts";
import { itemKey, type ItemKind } from "./item-key.ts";
import { uriRefusal } from "./uri-template.ts";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { definitionHash, itemDefinitionHash, promptDefinitionFields, resourceDefinitionFields } from "./definition-hash.ts";
import { suggestClassification, suggestReadClassification, type SuggestedClassification } from "./suggest-classification.ts";
import { INVENTORY_CHANGED_ENTRY, INVENTORY_NEW_ENTRY } from "../audit/entries/index.ts";

/** A tool's review status as stored (the column is text; Mandate writes only these). */
type ToolStatus = InventoryResult["tools"][number]["status"];

type ItemResult = { name: string; status: "pending" | "approved" | "rejected"; change: "new" | "changed" | "unchanged" };

export interface InventoryResult {
  server: string;
  tools: ItemResult[];
  resources?: ItemResult[];
  prompts?: ItemResult[];
}

/** One reported item as stored: what is hashed and kept, and its suggested classification. */
interface Incoming {
  kind: ItemKind;
  name: string;
  def: Record<string, unknown>;
  hash: string;
  title: string | undefined;
  description: string | undefined;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, unknown> | undefined;
  suggestion: SuggestedClassification;
}

function normalise(def: ToolDefinition) {
  return {
    name: def.name,
    title: def.title ?? def.annotations?.title,
    description: def.description,
    inputSchema: def.inputSchema,
    outputSchema: def.outputSchema,
    annotations: def.annotations,
  };
}

function toolItem(t: ToolDefinition): Incoming {
  const def = normalise(t);
  return {
    kind: "tool",
    name: def.name,
    def,
    hash: definitionHash(def),
    title: def.title,
    description: def.description,
    inputSchema: def.inputSchema ?? {},
    annotations: def.annotations,
    suggestion: suggestClassification(def),
  };
}

/** A resource's policies read its URI as `context.args.uri`. */
const RESOURCE_ARGS = { type: "object", properties: { uri: { type: "string" } } };

/** A resource or a family; null when Mandate could never match its URI exactly (it stays out of the inventory, and unreadable). */
function resourceItem(r: ResourceDefinition): Incoming | null {
  const name = (r.uri ?? r.uriTemplate)!;
  if (r.uri !== undefined && uriRefusal(r.uri)) return null;
  if (r.uriTemplate !== undefined && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(r.uriTemplate)) return null;
  const def = resourceDefinitionFields(r);
  return {
    kind: "resource",
    name,
    def,
    hash: itemDefinitionHash(def),
    title: r.title ?? r.name,
    description: r.description,
    inputSchema: RESOURCE_ARGS,
    annotations: r.annotations,
    suggestion: suggestReadClassification("resource", { name: r.name, uri: name, title: r.title, description: r.description }),
  };
}

/** A prompt; its arguments are strings, read by policies as `context.args.<name>`. */
function promptItem(p: PromptDefinition): Incoming {
  const properties: Record<string, unknown> = {};
  for (const a of p.arguments ?? []) properties[a.name] = { type: "string" };
  const def = promptDefinitionFields(p);
  return {
    kind: "prompt",
    name: p.name,
    def,
    hash: itemDefinitionHash(def),
    title: p.title,
    description: p.description,
    inputSchema: { type: "object", properties },
    annotations: undefined,
    suggestion: suggestReadClassification("prompt", { name: p.name, title: p.title, description: p.description }),
  };
}

export async function reportInventory(
  rt: NodeContext,
  server: string,
  tools: ToolDefinition[],
  actor: string,
  more: { resources?: ResourceDefinition[]; prompts?: PromptDefinition[] } = {},
): Promise<InventoryResult> {
  const defs: Incoming[] = [...tools.map(toolItem), ...(more.resources ?? []).flatMap((r) => resourceItem(r) ?? []), ...(more.prompts ?? []).map(promptItem)];
  const pool = getPool();
  const existing = await pool.query<Row<"tools", "kind" | "name" | "definition_hash"> & { status: ToolStatus }>(
    `SELECT t.kind, t.name, t.definition_hash, t.status FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = $1`,
    [server],
  );
  const slotOf = (kind: string, name: string) => `${kind}\0${name}`;
  const known = new Map(existing.rows.map((r) => [slotOf(r.kind, r.name), r]));
  const shape = (items: Array<ItemResult & { kind: ItemKind }>): InventoryResult => {
    const of = (k: ItemKind) => items.filter((i) => i.kind === k).map(({ kind: _k, ...rest }) => rest);
    return {
      server,
      tools: of("tool"),
      ...(more.resources ? { resources: of("resource") } : {}),
      ...(more.prompts ? { prompts: of("prompt") } : {}),
    };
  };
  if (defs.length === 0) {
    // An empty report makes the server known (a gateway announces a server before deciding its
    // initialize); nothing of it changes.
    await pool.query(
      `INSERT INTO tool_servers (id, name, created_at, last_seen_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (name) DO UPDATE SET last_seen_at = now()`,
      [randomUUID(), server],
    );
    return shape([]);
  }
  const unchanged = defs.every((d) => known.get(slotOf(d.kind, d.name))?.definition_hash === d.hash);
  if (unchanged) {
    await pool.query(
      `WITH s AS (UPDATE tool_servers SET last_seen_at = now() WHERE name = $1 RETURNING id)
       UPDATE tools SET last_seen_at = now() WHERE server_id IN (SELECT id FROM s) AND (kind, name) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [server, defs.map((d) => d.kind), defs.map((d) => d.name)],
    );
    return shape(defs.map((d) => ({ kind: d.kind, name: d.name, status: known.get(slotOf(d.kind, d.name))!.status, change: "unchanged" as const })));
  }
  return adminAction(rt, async (tx) => {
    const s = await tx.query<Row<"tool_servers", "id">>(
      `INSERT INTO tool_servers (id, name, created_at, last_seen_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (name) DO UPDATE SET last_seen_at = now() RETURNING id`,
      [randomUUID(), server],
    );
    const serverId = s.rows[0].id;
    const out: Array<ItemResult & { kind: ItemKind }> = [];
    const audit: AdminAudit[] = [];
    for (const { kind, name, def, hash, title, description, inputSchema, annotations, suggestion } of defs) {
      const cur = await tx.query<Row<"tools", "id" | "definition_hash"> & { status: ToolStatus }>(
        `SELECT id, definition_hash, status FROM tools WHERE server_id = $1 AND kind = $2 AND name = $3 FOR UPDATE`,
        [serverId, kind, name],
      );
      const row = cur.rows[0];
      const key = itemKey(kind, server, name);
      if (!row) {
        const itemId = randomUUID();
        await tx.query(
          `INSERT INTO tools (id, server_id, kind, name, title, description, input_schema, annotations, definition_hash, status, suggestion, first_seen_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, now(), now())`,
          [
            itemId,
            serverId,
            kind,
            name,
            title ?? null,
            description ?? null,
            JSON.stringify(inputSchema),
            annotations ? JSON.stringify(annotations) : null,
            hash,
            JSON.stringify(suggestion),
          ],
        );
        await tx.query(`INSERT INTO tool_definition_versions (id, tool_id, definition_hash, definition, seen_at) VALUES ($1, $2, $3, $4, now())`, [
          randomUUID(),
          itemId,
          hash,
          JSON.stringify(def),
        ]);
        audit.push(INVENTORY_NEW_ENTRY.entry({ actor, tool: key, data: { tool_id: itemId, definition_hash: hash, suggestion } }));
        out.push({ kind, name, status: "pending", change: "new" });
      } else if (row.definition_hash !== hash) {
        const wasApproved = row.status === "approved";
        await tx.query(
          `UPDATE tools SET title = $2, description = $3, input_schema = $4, annotations = $5, definition_hash = $6, suggestion = $7,
                  status = CASE WHEN status = 'approved' THEN 'pending' ELSE status END,
                  change_flag = CASE WHEN status = 'approved' THEN 'definition_changed' ELSE change_flag END,
                  last_seen_at = now() WHERE id = $1`,
          [
            row.id,
            title ?? null,
            description ?? null,
            JSON.stringify(inputSchema),
            annotations ? JSON.stringify(annotations) : null,
            hash,
            JSON.stringify(suggestion),
          ],
        );
        await tx.query(`INSERT INTO tool_definition_versions (id, tool_id, definition_hash, definition, seen_at) VALUES ($1, $2, $3, $4, now())`, [
          randomUUID(),
          row.id,
          hash,
          JSON.stringify(def),
        ]);
        audit.push(
          INVENTORY_CHANGED_ENTRY.entry({
            actor,
            tool: key,
            data: { tool_id: row.id, previous_hash: row.definition_hash, definition_hash: hash, was_approved: wasApproved },
          }),
        );
        out.push({ kind, name, status: wasApproved ? "pending" : row.status, change: "changed" });
      } else {
        await tx.query(`UPDATE tools SET last_seen_at = now() WHERE id = $1`, [row.id]);
        out.push({ kind, name, status: row.status, change: "unchanged" });
      }
    }
    return { result: shape(out), audit };
  });
}
