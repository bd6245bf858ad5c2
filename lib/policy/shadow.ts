/**
 * Shadow mode: a version published as `shadow` is evaluated next to the active one on live traffic
 * (lib/decisions/decide.ts records its answer in each decision's audit entry as `data.shadow`) but not
 * enforced. This module reads the disagreements and ends or promotes the shadow version.
 */
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { NotNull, Row } from "../db/rows.ts";
import { publishPolicy } from "./publish.ts";
import { DECISION, POLICY_VERSION_ENTRY } from "../audit/entries/index.ts";

export interface ShadowVersion {
  id: string;
  version: number;
  label: string;
  text: string;
  publishedAt: string;
  publishedBy: string | null;
  note: string | null;
}

export interface ShadowSummary {
  shadow: ShadowVersion | null;
  compared: number;
  disagreements: number;
  transitions: Record<string, number>;
}

/** SQL condition: a decision where the shadow version's answer differs from what was enforced. */
export const DISAGREES = `${DECISION.shadowDecision.text()} IS DISTINCT FROM outcome
  AND NOT (outcome = 'allow' AND ${DECISION.approvalStatus.text()} = 'used' AND ${DECISION.shadowDecision.text()} = 'require_approval')`;

export async function currentShadow(storeId: string): Promise<ShadowVersion | null> {
  const r = await getPool().query<
    Row<"policy_versions", "id" | "version" | "text" | "published_by" | "note"> & NotNull<Row<"policy_versions", "published_at">>
  >(`SELECT id, version, text, published_at, published_by, note FROM policy_versions WHERE store_id = $1 AND status = 'shadow' ORDER BY version DESC LIMIT 1`, [
    storeId,
  ]);
  const v = r.rows[0];
  if (!v) return null;
  return {
    id: v.id,
    version: v.version,
    label: `${storeId}@v${v.version}`,
    text: v.text,
    publishedAt: v.published_at.toISOString(),
    publishedBy: v.published_by,
    note: v.note,
  };
}

export async function shadowSummary(storeId: string): Promise<ShadowSummary> {
  const shadow = await currentShadow(storeId);
  if (!shadow) return { shadow: null, compared: 0, disagreements: 0, transitions: {} };
  const r = await getPool().query<NotNull<Row<"audit_entries", "outcome">> & { shadow: string | null; n: number; differs: boolean }>(
    `SELECT outcome, ${DECISION.shadowDecision.text()} AS shadow, count(*)::int AS n, bool_or(${DISAGREES}) AS differs
       FROM audit_entries WHERE kind = 'decision' AND created_at >= $1 AND ${DECISION.shadowVersion.text()} = $2
      GROUP BY 1, 2`,
    [shadow.publishedAt, shadow.label],
  );
  const transitions: Record<string, number> = {};
  let compared = 0;
  let disagreements = 0;
  for (const row of r.rows) {
    compared += row.n;
    if (row.differs) {
      disagreements += row.n;
      transitions[`${row.outcome}→${row.shadow}`] = (transitions[`${row.outcome}→${row.shadow}`] ?? 0) + row.n;
    }
  }
  return { shadow, compared, disagreements, transitions };
}

/** Stops evaluating the shadow version (it becomes archived). */
export async function endShadow(rt: NodeContext, storeId: string, actor: string) {
  return adminAction(rt, async (tx) => {
    const r = await tx.query<Row<"policy_versions", "version">>(
      `UPDATE policy_versions SET status = 'archived' WHERE store_id = $1 AND status = 'shadow' RETURNING version`,
      [storeId],
    );
    if (!r.rowCount) throw new MandateError(409, "no_shadow", "no version is in shadow mode");
    return {
      result: { version: r.rows[0].version },
      audit: POLICY_VERSION_ENTRY.entry({ action: "policy.shadow_end", actor, data: { store: storeId, version: r.rows[0].version } }),
    };
  });
}

/** Publishes the shadow version's text as the active version (validated like any publish), then ends the shadow. */
export async function promoteShadow(rt: NodeContext, storeId: string, actor: string) {
  const shadow = await currentShadow(storeId);
  if (!shadow) throw new MandateError(409, "no_shadow", "no version is in shadow mode");
  const published = await publishPolicy(rt, storeId, shadow.text, actor, { mode: "active", note: `promoted from shadow ${shadow.label}` });
  await endShadow(rt, storeId, actor);
  return published;
}
