/**
 * Admin decisions on tools: approve (optionally editing the classification), reject, block, unblock.
 */
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { TOOL_APPROVE_ENTRY, TOOL_BLOCK_ENTRY, TOOL_REJECT_ENTRY } from "../audit/entries/index.ts";

export const effectSchema = z.enum(["read", "write", "side_effect", "destructive"]);
export const riskSchema = z.enum(["low", "medium", "high", "critical"]);
export const labelSchema = z.string().min(1).max(50).regex(/^[a-z0-9_]+$/, "lowercase letters, digits, _");

export const classificationEdit = z
  .object({
    effect: effectSchema.optional(),
    risk: riskSchema.optional(),
    labels: z.array(labelSchema).max(50).optional(),
    sensitive_args: z.array(z.string().min(1).max(100)).max(100).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type ClassificationEdit = z.infer<typeof classificationEdit>;

export function parseToolRef(ref: string): { server: string; name: string } {
  const i = ref.indexOf("/");
  if (i <= 0 || i === ref.length - 1) throw new MandateError(400, "invalid_tool", `expected <server>/<tool>, got "${ref}"`);
  return { server: ref.slice(0, i), name: ref.slice(i + 1) };
}

const FIND = `SELECT t.id, t.status, t.effect, t.risk, t.labels, t.sensitive_args, t.suggestion
                FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = $1 AND t.name = $2`;

export async function approveTool(rt: NodeContext, server: string, name: string, edit: ClassificationEdit, actor: string) {
  return withToolRefresh(rt, adminAction(rt, async (tx) => {
    const r = await tx.query(FIND + " FOR UPDATE", [server, name]);
    const t = r.rows[0];
    if (!t) throw notFound(`tool ${server}/${name}`);
    const s = t.suggestion ?? {};
    const effect = edit.effect ?? t.effect ?? s.effect;
    const risk = edit.risk ?? t.risk ?? s.risk;
    if (!effect || !risk) throw new MandateError(400, "classification_incomplete", "effect and risk are required to approve");
    const labels = edit.labels ?? (t.labels?.length ? t.labels : (s.labels ?? []));
    const sensitive = edit.sensitive_args ?? (t.sensitive_args?.length ? t.sensitive_args : (s.sensitiveArgs ?? []));
    await tx.query(
      `UPDATE tools SET status = 'approved', effect = $2, risk = $3, labels = $4, sensitive_args = $5, change_flag = NULL,
              decided_by = $6, decided_at = now(), decision_note = $7 WHERE id = $1`,
      [t.id, effect, risk, labels, sensitive, actor, edit.note ?? null],
    );
    const classification = { effect, risk, labels, sensitive_args: sensitive };
    return {
      result: { id: t.id, server, name, status: "approved", ...classification },
      audit: TOOL_APPROVE_ENTRY.entry({ actor, tool: `${server}/${name}`, data: { tool_id: t.id, previous_status: t.status, classification, note: edit.note ?? null } }),
    };
  }));
}

export async function rejectTool(rt: NodeContext, server: string, name: string, note: string | null, actor: string) {
  return withToolRefresh(rt, adminAction(rt, async (tx) => {
    const r = await tx.query(FIND, [server, name]);
    const t = r.rows[0];
    if (!t) throw notFound(`tool ${server}/${name}`);
    await tx.query(`UPDATE tools SET status = 'rejected', decided_by = $2, decided_at = now(), decision_note = $3 WHERE id = $1`, [t.id, actor, note]);
    return { result: { id: t.id, status: "rejected" }, audit: TOOL_REJECT_ENTRY.entry({ actor, tool: `${server}/${name}`, data: { tool_id: t.id, previous_status: t.status, note } }) };
  }));
}

export async function setToolBlocked(rt: NodeContext, server: string, name: string, blocked: boolean, reason: string | null, actor: string) {
  return withToolRefresh(rt, adminAction(rt, async (tx) => {
    const r = await tx.query(FIND, [server, name]);
    const t = r.rows[0];
    if (!t) throw notFound(`tool ${server}/${name}`);
    await tx.query(
      `UPDATE tools SET blocked_at = CASE WHEN $2 THEN now() ELSE NULL END, blocked_reason = CASE WHEN $2 THEN $3 ELSE NULL END WHERE id = $1`,
      [t.id, blocked, reason],
    );
    return { result: { id: t.id, blocked }, audit: TOOL_BLOCK_ENTRY.entry({ action: blocked ? "tool.block" : "tool.unblock", actor, tool: `${server}/${name}`, data: { tool_id: t.id, reason } }) };
  }));
}

/** The tool changed by a committed admin action is refreshed in this node's cache before returning. */
async function withToolRefresh<T extends { id: string }>(rt: NodeContext, p: Promise<T>): Promise<T> {
  const r = await p;
  await rt.applyChange("tools", r.id);
  return r;
}
