/**
 * Everything the tool page shows: the definition (annotations are server hints), the suggestion and
 * its reasons, the classification with who/when/why, the audited history, the definition versions with
 * diffs, and who can call it under the active policy.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { itemKey, parseItemName, type ItemKind } from "../inventory/item-key.ts";
import type { SuggestedClassification } from "../inventory/suggest-classification.ts";
import { loadAgents } from "../policy/directory.ts";
import { MCP_STORE_ID } from "../policy/publish.ts";
import { whoCanCall, type AgentAccess } from "../policy/who-can-call.ts";
import { jsonLineDiff, type DiffLine } from "./json-diff.ts";
import { iso } from "./format.ts";

export interface ToolDetail {
  id: string;
  /** A tool, a resource (or a family of resources) or a prompt: the page shows all three. */
  kind: ItemKind;
  server: string;
  /** The rest of the item's key (lib/inventory/item-key.ts): what the page's URL and the admin API take. */
  name: string;
  /** The tool's or prompt's name, the resource's URI or URI template. */
  itemName: string;
  title: string | null;
  description: string | null;
  inputSchema: unknown;
  annotations: Record<string, unknown> | null;
  status: "pending" | "approved" | "rejected";
  classification: { effect: string | null; risk: string | null; labels: string[]; sensitiveArgs: string[] };
  suggestion: SuggestedClassification | null;
  decided: { by: string; at: string; note: string | null } | null;
  blocked: { at: string; reason: string | null } | null;
  changeFlag: string | null;
  callCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Content detectors the gateway skips for this item (its own setting) and for its whole server. */
  detectorsOff: { item: string[]; server: string[] };
}

export interface HistoryEntry {
  at: string;
  action: string;
  actor: string;
  note: string | null;
  data: Record<string, unknown>;
}

export interface DefinitionVersion {
  hash: string;
  seenAt: string;
  /** Lines changed from the previous version (null for the first version). */
  diff: DiffLine[] | null;
}

export async function getTool(server: string, name: string): Promise<ToolDetail | null> {
  const item = parseItemName(name);
  const r = await getPool().query<
    WithJson<Row<"tools">, { annotations: ToolDetail["annotations"]; suggestion: ToolDetail["suggestion"] }> & {
      server: Col<"tool_servers", "name">;
      server_detectors_off: Col<"tool_servers", "detectors_off">;
    }
  >(
    `SELECT t.*, s.name AS server, s.detectors_off AS server_detectors_off FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = $1 AND t.kind = $2 AND t.name = $3`,
    [server, item.kind, item.name],
  );
  const t = r.rows[0];
  if (!t) return null;
  return {
    id: t.id,
    kind: item.kind,
    server: t.server,
    name,
    itemName: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.input_schema,
    annotations: t.annotations,
    status: t.status as ToolDetail["status"],
    classification: { effect: t.effect, risk: t.risk, labels: t.labels ?? [], sensitiveArgs: t.sensitive_args ?? [] },
    suggestion: t.suggestion,
    decided: t.decided_by ? { by: t.decided_by, at: iso(t.decided_at)!, note: t.decision_note } : null,
    blocked: t.blocked_at ? { at: iso(t.blocked_at)!, reason: t.blocked_reason } : null,
    changeFlag: t.change_flag,
    callCount: Number(t.call_count),
    firstSeenAt: iso(t.first_seen_at)!,
    lastSeenAt: iso(t.last_seen_at)!,
    detectorsOff: { item: t.detectors_off ?? [], server: t.server_detectors_off ?? [] },
  };
}

/** Admin actions on the tool (approve, reject, block, inventory changes), newest first. */
export async function toolHistory(server: string, name: string, limit = 50): Promise<HistoryEntry[]> {
  const r = await getPool().query<
    WithJson<Row<"audit_entries", "created_at" | "action" | "actor" | "data">, { data: Record<string, unknown> & { note?: string; reason?: string } }>
  >(`SELECT created_at, action, actor, data FROM audit_entries WHERE tool = $1 AND kind = 'admin' ORDER BY created_at DESC LIMIT $2`, [
    `${server}/${name}`,
    limit,
  ]);
  return r.rows.map((x) => ({
    at: iso(x.created_at)!,
    action: x.action,
    actor: x.actor,
    note: x.data?.note ?? x.data?.reason ?? null,
    data: x.data,
  }));
}

export async function definitionVersions(toolId: string): Promise<DefinitionVersion[]> {
  const r = await getPool().query<Row<"tool_definition_versions", "definition_hash" | "definition" | "seen_at">>(
    `SELECT definition_hash, definition, seen_at FROM tool_definition_versions WHERE tool_id = $1 ORDER BY seen_at ASC LIMIT 100`,
    [toolId],
  );
  const out = r.rows.map((row, i) => ({
    hash: row.definition_hash,
    seenAt: iso(row.seen_at)!,
    diff: i === 0 ? null : jsonLineDiff(r.rows[i - 1].definition, row.definition),
  }));
  return out.reverse();
}

export interface WhoCanCall {
  policyVersion: string | null;
  /** The tool is not approved: the answers assume it were approved with this classification. */
  hypothetical: { effect: string; risk: string; labels: string[] } | null;
  access: AgentAccess[];
}

export async function whoCanCallTool(t: ToolDetail): Promise<WhoCanCall> {
  const p = await getPool().query<Row<"policy_versions", "version" | "text">>(
    `SELECT version, text FROM policy_versions WHERE store_id = $1 AND status = 'active' LIMIT 1`,
    [MCP_STORE_ID],
  );
  if (!p.rowCount) return { policyVersion: null, hypothetical: null, access: [] };
  const approved = t.status === "approved";
  const c = approved
    ? t.classification
    : { effect: t.suggestion?.effect ?? null, risk: t.suggestion?.risk ?? null, labels: t.suggestion?.labels ?? [], sensitiveArgs: [] };
  const info: ToolInfo = {
    id: t.id,
    kind: t.kind,
    server: t.server,
    name: t.itemName,
    key: itemKey(t.kind, t.server, t.itemName),
    status: "approved",
    effect: c.effect,
    risk: c.risk,
    labels: c.labels,
    sensitiveArgs: c.sensitiveArgs,
    blocked: t.blocked,
    inputSchema: t.inputSchema,
    openWorld: t.annotations?.openWorldHint === true,
  };
  const access = whoCanCall(p.rows[0].text, await loadAgents(500), info);
  return {
    policyVersion: `${MCP_STORE_ID}@v${p.rows[0].version}`,
    hypothetical: approved ? null : { effect: c.effect ?? "?", risk: c.risk ?? "?", labels: c.labels },
    access,
  };
}
