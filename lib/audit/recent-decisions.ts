/**
 * Read side for the console's landing page: the latest decisions.
 */
import { getPool } from "../db/pool.ts";
import { DECISION } from "./entries/index.ts";
import type { NotNull, Row } from "../db/rows.ts";

export interface DecisionRow {
  decisionId: string;
  createdAt: string;
  agent: string;
  sessionId: string;
  /** null: a foreign attempt (another agent's request in the session, no step of it), or no session. */
  step: number | null;
  tool: string;
  outcome: string;
  reasons: Array<{ policy: string; message: string }>;
  policyVersion: string;
}

export async function recentDecisions(limit = 50): Promise<DecisionRow[]> {
  const r = await getPool().query<
    NotNull<Row<"audit_entries", "decision_id" | "created_at" | "actor" | "session_id" | "tool" | "outcome">> &
      Row<"audit_entries", "step"> & { reasons: DecisionRow["reasons"] | null; policy_version: string }
  >(
    `SELECT decision_id, created_at, actor, session_id, step, tool, outcome, ${DECISION.reasons.json()} AS reasons, ${DECISION.policyVersion.text()} AS policy_version
       FROM audit_entries WHERE kind = 'decision' ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => ({
    decisionId: x.decision_id,
    createdAt: x.created_at.toISOString(),
    agent: String(x.actor).replace(/^agent:/, ""),
    sessionId: x.session_id,
    step: x.step,
    tool: x.tool,
    outcome: x.outcome,
    reasons: x.reasons ?? [],
    policyVersion: x.policy_version,
  }));
}
