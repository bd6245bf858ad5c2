/** The shadow disagreements table: decisions where the shadow version answered differently. */
import { getPool } from "../db/pool.ts";
import type { NotNull, Row } from "../db/rows.ts";
import { DISAGREES, type ShadowVersion } from "../policy/shadow.ts";
import type { Page, TableDefinition, TableState } from "./table/definition.ts";
import { containsPattern, runKeyset, type KeysetSource } from "./table/keyset.ts";
import { DECISION } from "../audit/entries/index.ts";
import type { RecordedDecisionRef } from "../policy/recorded-decision.ts";

export interface DisagreementRow extends RecordedDecisionRef {
  enforced: string;
  shadow: string;
  shadowReasons: Array<{ policy: string; message: string }>;
}

const OUT = ["allow", "deny", "require_approval"];

export const shadowTableDefinition: TableDefinition = {
  id: "shadow",
  filters: [
    { id: "enforced", label: "Enforced", kind: "select", options: OUT.map((o) => ({ value: o, label: o })) },
    { id: "shadow", label: "Shadow", kind: "select", options: OUT.map((o) => ({ value: o, label: o })) },
  ],
  sorts: [{ id: "at", label: "Time" }],
  defaultSort: { id: "at", dir: "desc" },
  search: { placeholder: "Search tool, agent or session" },
  pageSize: 50,
};

function source(shadow: ShadowVersion): KeysetSource {
  return {
    select: `decision_id, created_at, session_id, step, actor, tool, outcome, ${DECISION.shadowDecision.text()} AS shadow, ${DECISION.shadowReasons.json()} AS shadow_reasons`,
    from: "audit_entries",
    where: (b) => [
      "kind = 'decision'",
      `created_at >= ${b(shadow.publishedAt)}::timestamptz`,
      `${DECISION.shadowVersion.text()} = ${b(shadow.label)}`,
      `(${DISAGREES})`,
    ],
    id: { expr: "decision_id", cast: "uuid" },
    sorts: { at: { expr: "created_at", type: "timestamp" } },
    filters: { enforced: (v, b) => `outcome = ${b(v[0])}`, shadow: (v, b) => `${DECISION.shadowDecision.text()} = ${b(v[0])}` },
    search: (q, b) => {
      const p = b(containsPattern(q));
      return `(tool ILIKE ${p} OR actor ILIKE ${p} OR session_id ILIKE ${p})`;
    },
  };
}

/** Decision entries: their decision, session, step, tool and outcome are never null. */
type Disagreement = NotNull<Row<"audit_entries", "decision_id" | "created_at" | "session_id" | "step" | "actor" | "tool" | "outcome">> & {
  shadow: string;
  shadow_reasons: DisagreementRow["shadowReasons"] | null;
};

export async function listDisagreements(shadow: ShadowVersion, state: TableState): Promise<Page<DisagreementRow>> {
  const page = await runKeyset<Disagreement>(getPool(), source(shadow), state, shadowTableDefinition.pageSize);
  return {
    ...page,
    rows: page.rows.map((r) => ({
      decisionId: r.decision_id,
      at: new Date(r.created_at).toISOString(),
      sessionId: r.session_id,
      step: r.step,
      agent: String(r.actor).replace(/^agent:/, ""),
      tool: r.tool,
      enforced: r.outcome,
      shadow: r.shadow,
      shadowReasons: r.shadow_reasons ?? [],
    })),
  };
}
