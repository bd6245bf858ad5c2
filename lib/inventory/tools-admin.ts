/**
 * Admin decisions on tools: approve (optionally editing the classification), reject, block, unblock.
 */
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { TOOL_APPROVE_ENTRY, TOOL_BLOCK_ENTRY, TOOL_DETECTORS_ENTRY, TOOL_REJECT_ENTRY } from "../audit/entries/index.ts";
import { DETECTOR_SWITCHES } from "../detectors/registry.ts";
import type { TxDb } from "../db/prisma.ts";
import type { Row, WithJson } from "../db/rows.ts";
import type { SuggestedClassification } from "./suggest-classification.ts";
import { KIND_WORD, parseItemName } from "./item-key.ts";

export const effectSchema = z.enum(["read", "write", "side_effect", "destructive"]);
export const riskSchema = z.enum(["low", "medium", "high", "critical"]);
export const labelSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9_]+$/, "lowercase letters, digits, _");

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

/*
 * The functions below take an inventory item by its server and the rest of its key (item-key.ts): a
 * tool's name, a resource's URI or URI template, or `prompt:<name>`. Their audit entries name the key.
 */

/** A tool's review status (the column is text; these are the values written). */
type ToolStatus = "pending" | "approved" | "rejected";
type Found = WithJson<
  Row<"tools", "id" | "status" | "effect" | "risk" | "labels" | "sensitive_args" | "suggestion">,
  { suggestion: SuggestedClassification | null; status: ToolStatus; effect: z.infer<typeof effectSchema> | null; risk: z.infer<typeof riskSchema> | null }
>;

/** SQL: the tool is locked while it is approved (Prisma has no FOR UPDATE). */
const FIND_FOR_UPDATE = `SELECT t.id, t.status, t.effect, t.risk, t.labels, t.sensitive_args, t.suggestion
                FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = $1 AND t.kind = $2 AND t.name = $3 FOR UPDATE`;

export async function approveTool(rt: NodeContext, server: string, name: string, edit: ClassificationEdit, actor: string) {
  return withToolRefresh(
    rt,
    adminAction(rt, async (tx, orm) => {
      const item = parseItemName(name);
      const r = await tx.query<Found>(FIND_FOR_UPDATE, [server, item.kind, item.name]);
      const t = r.rows[0];
      if (!t) throw notFound(`${KIND_WORD[item.kind]} ${server}/${name}`);
      const s: Partial<SuggestedClassification> = t.suggestion ?? {};
      const effect = edit.effect ?? t.effect ?? s.effect;
      const risk = edit.risk ?? t.risk ?? s.risk;
      if (!effect || !risk) throw new MandateError(400, "classification_incomplete", "effect and risk are required to approve");
      const labels = edit.labels ?? (t.labels?.length ? t.labels : (s.labels ?? []));
      const sensitive = edit.sensitive_args ?? (t.sensitive_args?.length ? t.sensitive_args : (s.sensitiveArgs ?? []));
      await orm((db) =>
        db.tool.update({
          where: { id: t.id },
          data: {
            status: "approved",
            effect,
            risk,
            labels,
            sensitiveArgs: sensitive,
            changeFlag: null,
            decidedBy: actor,
            decidedAt: new Date(),
            decisionNote: edit.note ?? null,
          },
          select: { id: true },
        }),
      );
      const classification = { effect, risk, labels, sensitive_args: sensitive };
      return {
        result: { id: t.id, server, name, status: "approved", ...classification },
        audit: TOOL_APPROVE_ENTRY.entry({
          actor,
          tool: `${server}/${name}`,
          data: { tool_id: t.id, previous_status: t.status, classification, note: edit.note ?? null },
        }),
      };
    }),
  );
}

function findTool(db: TxDb, server: string, rest: string) {
  const { kind, name } = parseItemName(rest);
  return db.tool.findFirst({ where: { kind, name, server: { name: server } }, select: { id: true, status: true } });
}

export async function rejectTool(rt: NodeContext, server: string, name: string, note: string | null, actor: string) {
  return withToolRefresh(
    rt,
    adminAction(rt, async (_tx, orm) => {
      const t = await orm(async (db) => {
        const found = await findTool(db, server, name);
        if (!found) throw notFound(`${KIND_WORD[parseItemName(name).kind]} ${server}/${name}`);
        await db.tool.update({
          where: { id: found.id },
          data: { status: "rejected", decidedBy: actor, decidedAt: new Date(), decisionNote: note },
          select: { id: true },
        });
        return found;
      });
      return {
        result: { id: t.id, status: "rejected" },
        audit: TOOL_REJECT_ENTRY.entry({
          action: "tool.reject",
          actor,
          tool: `${server}/${name}`,
          data: { tool_id: t.id, previous_status: t.status as ToolStatus, note },
        }),
      };
    }),
  );
}

export async function setToolBlocked(rt: NodeContext, server: string, name: string, blocked: boolean, reason: string | null, actor: string) {
  return withToolRefresh(
    rt,
    adminAction(rt, async (_tx, orm) => {
      const t = await orm(async (db) => {
        const found = await findTool(db, server, name);
        if (!found) throw notFound(`${KIND_WORD[parseItemName(name).kind]} ${server}/${name}`);
        await db.tool.update({
          where: { id: found.id },
          data: { blockedAt: blocked ? new Date() : null, blockedReason: blocked ? reason : null },
          select: { id: true },
        });
        return found;
      });
      return {
        result: { id: t.id, blocked },
        audit: TOOL_BLOCK_ENTRY.entry({ action: blocked ? "tool.block" : "tool.unblock", actor, tool: `${server}/${name}`, data: { tool_id: t.id, reason } }),
      };
    }),
  );
}

/**
 * Detectors the gateway skips for what an item (or every item of a server) returns: detector names or
 * labels (every detector yielding it), DETECTOR_SWITCHES. The whole set is replaced; [] turns all back on.
 * `_meta` labels the server attaches are not detectors and always count.
 */
export const detectorsOffEdit = z
  .object({
    detectors_off: z
      .array(z.string().refine((n) => DETECTOR_SWITCHES.includes(n), { message: `a detector or label: ${DETECTOR_SWITCHES.join(", ")}` }))
      .max(DETECTOR_SWITCHES.length)
      .refine((a) => new Set(a).size === a.length, "each name once"),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type DetectorsOffEdit = z.infer<typeof detectorsOffEdit>;

/** `name` null: the server's own setting (applies to all its items); else one item (its rest-of-key). */
export async function setDetectorsOff(rt: NodeContext, server: string, name: string | null, edit: DetectorsOffEdit, actor: string) {
  const detectorsOff = [...edit.detectors_off].sort();
  const r = await adminAction(rt, async (_tx, orm) => {
    const found = await orm(async (db) => {
      if (name === null) {
        const s = await db.toolServer.findUnique({ where: { name: server }, select: { id: true, detectorsOff: true } });
        if (!s) throw notFound(`server ${server}`);
        await db.toolServer.update({ where: { id: s.id }, data: { detectorsOff }, select: { id: true } });
        return { table: "tool_servers", id: s.id, previous: s.detectorsOff };
      }
      const { kind, name: itemName } = parseItemName(name);
      const t = await db.tool.findFirst({ where: { kind, name: itemName, server: { name: server } }, select: { id: true, detectorsOff: true } });
      if (!t) throw notFound(`${KIND_WORD[kind]} ${server}/${name}`);
      await db.tool.update({ where: { id: t.id }, data: { detectorsOff }, select: { id: true } });
      return { table: "tools", id: t.id, previous: t.detectorsOff };
    });
    return {
      result: { ...found, server, name, detectors_off: detectorsOff },
      audit: TOOL_DETECTORS_ENTRY.entry({
        actor,
        tool: name === null ? `${server}/*` : `${server}/${name}`,
        data: {
          ...(found.table === "tools" ? { tool_id: found.id } : { server_id: found.id }),
          previous: found.previous,
          detectors_off: detectorsOff,
          note: edit.note ?? null,
        },
      }),
    };
  });
  await rt.applyChange(r.table, r.id);
  return { server: r.server, ...(r.name === null ? {} : { name: r.name }), detectors_off: r.detectors_off };
}

/** The tool changed by a committed admin action is refreshed in this node's cache before returning. */
async function withToolRefresh<T extends { id: string }>(rt: NodeContext, p: Promise<T>): Promise<T> {
  const r = await p;
  await rt.applyChange("tools", r.id);
  return r;
}
