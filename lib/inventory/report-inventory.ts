/**
 * POST /api/v1/inventory: an enforcement agent reports the tools a server lists. New tools appear as
 * `pending` with a suggested classification and its reasons (MCP annotations are untrusted hints); a
 * changed definition of an approved tool is flagged and goes back to `pending`. Every new or changed
 * definition is kept (for the console's diff) and audited.
 */
import { randomUUID } from "node:crypto";
import type { ToolDefinition } from "../api/schemas.ts";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { definitionHash } from "./definition-hash.ts";
import { suggestClassification } from "./suggest-classification.ts";
import { INVENTORY_CHANGED_ENTRY, INVENTORY_NEW_ENTRY } from "../audit/entries/index.ts";

/** A tool's review status as stored (the column is text; Mandate writes only these). */
type ToolStatus = InventoryResult["tools"][number]["status"];

export interface InventoryResult {
  server: string;
  tools: Array<{ name: string; status: "pending" | "approved" | "rejected"; change: "new" | "changed" | "unchanged" }>;
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

export async function reportInventory(rt: NodeContext, server: string, tools: ToolDefinition[], actor: string): Promise<InventoryResult> {
  const defs = tools.map((t) => {
    const d = normalise(t);
    return { def: d, hash: definitionHash(d) };
  });
  const pool = getPool();
  const existing = await pool.query<Row<"tools", "name" | "definition_hash"> & { status: ToolStatus }>(
    `SELECT t.name, t.definition_hash, t.status FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = $1`,
    [server],
  );
  const known = new Map(existing.rows.map((r) => [r.name, r]));
  const unchanged = defs.every((d) => known.get(d.def.name)?.definition_hash === d.hash);
  if (unchanged) {
    await pool.query(
      `WITH s AS (UPDATE tool_servers SET last_seen_at = now() WHERE name = $1 RETURNING id)
       UPDATE tools SET last_seen_at = now() WHERE server_id IN (SELECT id FROM s) AND name = ANY($2)`,
      [server, defs.map((d) => d.def.name)],
    );
    return { server, tools: defs.map((d) => ({ name: d.def.name, status: known.get(d.def.name)!.status, change: "unchanged" as const })) };
  }
  return adminAction(rt, async (tx) => {
    const s = await tx.query<Row<"tool_servers", "id">>(
      `INSERT INTO tool_servers (id, name, created_at, last_seen_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (name) DO UPDATE SET last_seen_at = now() RETURNING id`,
      [randomUUID(), server],
    );
    const serverId = s.rows[0].id;
    const out: InventoryResult["tools"] = [];
    const audit: AdminAudit[] = [];
    for (const { def, hash } of defs) {
      const cur = await tx.query<Row<"tools", "id" | "definition_hash"> & { status: ToolStatus }>(
        `SELECT id, definition_hash, status FROM tools WHERE server_id = $1 AND name = $2 FOR UPDATE`,
        [serverId, def.name],
      );
      const row = cur.rows[0];
      const suggestion = suggestClassification(def);
      if (!row) {
        const id = randomUUID();
        await tx.query(
          `INSERT INTO tools (id, server_id, name, title, description, input_schema, annotations, definition_hash, status, suggestion, first_seen_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, now(), now())`,
          [
            id,
            serverId,
            def.name,
            def.title ?? null,
            def.description ?? null,
            JSON.stringify(def.inputSchema ?? {}),
            def.annotations ? JSON.stringify(def.annotations) : null,
            hash,
            JSON.stringify(suggestion),
          ],
        );
        await tx.query(`INSERT INTO tool_definition_versions (id, tool_id, definition_hash, definition, seen_at) VALUES ($1, $2, $3, $4, now())`, [
          randomUUID(),
          id,
          hash,
          JSON.stringify(def),
        ]);
        audit.push(INVENTORY_NEW_ENTRY.entry({ actor, tool: `${server}/${def.name}`, data: { tool_id: id, definition_hash: hash, suggestion } }));
        out.push({ name: def.name, status: "pending", change: "new" });
      } else if (row.definition_hash !== hash) {
        const wasApproved = row.status === "approved";
        await tx.query(
          `UPDATE tools SET title = $2, description = $3, input_schema = $4, annotations = $5, definition_hash = $6, suggestion = $7,
                  status = CASE WHEN status = 'approved' THEN 'pending' ELSE status END,
                  change_flag = CASE WHEN status = 'approved' THEN 'definition_changed' ELSE change_flag END,
                  last_seen_at = now() WHERE id = $1`,
          [
            row.id,
            def.title ?? null,
            def.description ?? null,
            JSON.stringify(def.inputSchema ?? {}),
            def.annotations ? JSON.stringify(def.annotations) : null,
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
            tool: `${server}/${def.name}`,
            data: { tool_id: row.id, previous_hash: row.definition_hash, definition_hash: hash, was_approved: wasApproved },
          }),
        );
        out.push({ name: def.name, status: wasApproved ? "pending" : row.status, change: "changed" });
      } else {
        await tx.query(`UPDATE tools SET last_seen_at = now() WHERE id = $1`, [row.id]);
        out.push({ name: def.name, status: row.status, change: "unchanged" });
      }
    }
    return { result: { server, tools: out }, audit };
  });
}
