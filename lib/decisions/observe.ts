/**
 * POST /api/v1/observations: labels the enforcement agent found in what an allowed call returned (its
 * detectors, or labels the server attached in `_meta`), committed to the session in PostgreSQL before
 * the answer, so that the very next decision in the session sees them on any node. The gateway holds
 * the result back until this answers (docs/gateway.md, "Labels from what actually flowed").
 *
 * An observation is not a step: the session's step count stays as it is, and the commit is checked
 * against it like a decision's (a decision committed meanwhile, on any node, makes it conflict and it
 * is applied again on fresh state). Labels only add. The observation is an audit entry next to its
 * decision's outcome (`outcome.labels_observed`), with each label's provenance: the detector and a
 * count, or the `_meta` key — never the matched value.
 */
import type { ObservationRequest } from "../api/schemas.ts";
import { ConflictError } from "../audit/chain.ts";
import { DECISION, observationEntry } from "../audit/entries/index.ts";
import { getPool } from "../db/pool.ts";
import type { NotNull, Row } from "../db/rows.ts";
import { MandateError } from "../errors.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { Runtime } from "../runtime/runtime.ts";

const MAX_ATTEMPTS = 20;

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

export async function observe(
  rt: Runtime,
  agent: AgentPrincipal,
  req: ObservationRequest,
): Promise<{ session: { id: string }; labels: string[]; observed_labels: string[]; added: string[] }> {
  const sessionId = req.session.id;
  // The decision must be an allow in this session, made for this agent (or under a delegation naming it).
  const d = await getPool().query<
    NotNull<Row<"audit_entries", "decision_id" | "session_id" | "tool" | "outcome">> &
      Row<"audit_entries", "agent_id" | "step"> & { chain: Array<{ agent_id?: string }> | null }
  >(
    `SELECT decision_id, agent_id, session_id, step, tool, outcome,
            CASE WHEN agent_id IS DISTINCT FROM $2::uuid THEN ${DECISION.delegationChain.json()} END AS chain
       FROM audit_entries WHERE decision_id = $1::uuid AND kind = 'decision'`,
    [req.decision_id, agent.agentId],
  );
  const dec = d.rows[0];
  const mine = dec && (dec.agent_id === agent.agentId || (Array.isArray(dec.chain) && dec.chain.some((c) => c.agent_id === agent.agentId)));
  if (!dec || !mine) throw new MandateError(422, "unknown_decision", `no decision ${req.decision_id} was made for this agent`);
  if (dec.session_id !== sessionId) throw new MandateError(422, "wrong_session", `decision ${req.decision_id} is in another session`);
  if (dec.outcome !== "allow") throw new MandateError(422, "not_allowed", `decision ${req.decision_id} was not an allow: nothing ran`);

  return rt.sessions.withLock(sessionId, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const session = await rt.sessions.get(sessionId);
      const added = req.labels.filter((l) => !session.observedLabels.includes(l)).sort();
      const labels = union(session.labels, req.labels);
      const observed = union(session.observedLabels, req.labels);
      if (added.length === 0) return { session: { id: sessionId }, labels: session.labels, observed_labels: session.observedLabels, added };
      const at = new Date().toISOString();
      try {
        await rt.decisionChain.submit({
          sanitized: true, // labels match /^[a-z0-9_]+$/; the rest comes from the database or the schema's enums
          entries: [
            observationEntry({
              agent,
              decision: { decision_id: dec.decision_id, session_id: sessionId, step: dec.step, tool: dec.tool },
              added,
              provenance: req.provenance.filter((p) => added.includes(p.label)),
              at,
            }),
          ],
          sessions: [
            {
              id: sessionId,
              agent_id: session.agentId!,
              expected: session.stepCount,
              expected_status: session.status,
              expected_granted: session.approvalsGranted,
              step_count: session.stepCount,
              labels,
              tools_used: session.toolsUsed,
              initiator: session.initiator,
              initiator_verified: session.initiatorVerified,
              denies: 0,
              approvals: 0,
              at,
              observed_labels: observed,
            },
          ],
        });
      } catch (err) {
        if (err instanceof ConflictError) {
          rt.sessions.invalidate(sessionId);
          continue;
        }
        throw err;
      }
      rt.sessions.set(Object.assign({}, session, { labels, observedLabels: observed }));
      return { session: { id: sessionId }, labels, observed_labels: observed, added };
    }
    throw new MandateError(503, "session_contention", `session ${sessionId} is changing too fast; retry`);
  });
}
