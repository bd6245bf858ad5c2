/**
 * POST /api/v1/events: outcome events of forwarded calls, in batches of up to 1,000, idempotent by
 * event_id. Each new event joins the audit chain next to its decision. A batch that names a decision
 * the calling agent did not receive is refused whole (nothing is written). The free text of an event
 * (`error`) is stored with its secrets redacted, as arguments are (lib/redaction): in `outcome_events`
 * and in the audit entry, which lists the redactions. Before the answer, each session's count of failed
 * outcomes in a row is updated (lib/counters/failure-streaks.ts).
 */
import type { OutcomeEventInput } from "../api/schemas.ts";
import { ConflictError } from "../audit/chain.ts";
import { DECISION, outcomeEntry } from "../audit/entries/index.ts";
import { getPool } from "../db/pool.ts";
import type { NotNull, Row } from "../db/rows.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { MandateError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { redactText, type Redaction } from "../redaction/index.ts";
import { observeEventsIngested } from "../telemetry/metrics.ts";
import { recordStreaks, streakChanges } from "../counters/failure-streaks.ts";

/** An event as stored: its error text with secrets replaced, and what was replaced. */
function redactEvent(e: OutcomeEventInput): { error: string | null; redactions: Redaction[] } {
  if (e.error === undefined) return { error: null, redactions: [] };
  const r = redactText(e.error, "/error");
  return { error: r.text, redactions: r.redactions };
}

export async function recordEvents(rt: Runtime, agent: AgentPrincipal, events: OutcomeEventInput[]): Promise<{ accepted: number; duplicates: number }> {
  const unique = new Map<string, OutcomeEventInput>();
  for (const e of events) if (!unique.has(e.event_id)) unique.set(e.event_id, e);
  const inBatchDuplicates = events.length - unique.size;
  const decisionIds = [...new Set([...unique.values()].map((e) => e.decision_id))];
  const pool = getPool();
  const eventIds = [...unique.keys()];
  const knownEvents = () => pool.query<Row<"outcome_events", "event_id">>(`SELECT event_id FROM outcome_events WHERE event_id = ANY($1)`, [eventIds]);
  // The events already recorded are looked up at the same time as the decisions (two connections).
  let known: Promise<{ rows: Array<Row<"outcome_events", "event_id">> }> | null = knownEvents();
  // Settled even if the decisions' lookup fails first (no unhandled rejection).
  known.catch(() => {});
  // A decision entry always has its decision id, session and tool (lib/audit/entries/decision.ts).
  const d = await pool.query<
    NotNull<Row<"audit_entries", "decision_id" | "session_id" | "tool">> &
      Row<"audit_entries", "agent_id" | "step"> & { chain: Array<{ agent_id?: string }> | null }
  >(
    // The delegation chain is read only for decisions made for another agent (its data is not read
    // for the agent's own decisions, the common case).
    `SELECT decision_id, agent_id, session_id, step, tool,
            CASE WHEN agent_id IS DISTINCT FROM $2::uuid THEN ${DECISION.delegationChain.json()} END AS chain
       FROM audit_entries WHERE decision_id = ANY($1::uuid[]) AND kind = 'decision'`,
    [decisionIds, agent.agentId],
  );
  const decisions = new Map(d.rows.map((r) => [r.decision_id, r]));
  const foreign = decisionIds.filter((id) => {
    const row = decisions.get(id);
    if (!row) return true;
    if (row.agent_id === agent.agentId) return false;
    return !(Array.isArray(row.chain) && row.chain.some((c) => c.agent_id === agent.agentId));
  });
  if (foreign.length) {
    throw new MandateError(
      422,
      "unknown_decision",
      `no decision ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? "…" : ""} was made for this agent`,
      foreign.map((id) => ({ path: "events.decision_id", message: `unknown decision ${id}` })),
    );
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const recorded = await (known ?? knownEvents());
    known = null;
    const seen = new Set(recorded.rows.map((r) => r.event_id));
    const fresh = [...unique.values()].filter((e) => !seen.has(e.event_id));
    if (!fresh.length) return { accepted: 0, duplicates: events.length };
    const at = new Date().toISOString();
    const stored = fresh.map((e) => ({ e, ...redactEvent(e) }));
    try {
      await rt.eventChain.submit({
        // Storable as they are: the body passed the route's checks (no NUL, no unpaired surrogate) and
        // the rest comes from the database.
        sanitized: true,
        entries: stored.map(({ e, error, redactions }) => {
          const dec = decisions.get(e.decision_id)!;
          return outcomeEntry({
            agent,
            decision: { decision_id: e.decision_id, session_id: dec.session_id, step: dec.step, tool: dec.tool },
            event: e,
            error,
            redactions,
            at,
          });
        }),
        events: stored.map(({ e, error }) => ({
          event_id: e.event_id,
          decision_id: e.decision_id,
          status: e.status,
          duration_ms: e.duration_ms ?? null,
          result_size: e.result_size ?? null,
          error,
          received_at: at,
        })),
      });
      observeEventsIngested(fresh.length);
      // Consecutive failures (lib/counters/failure-streaks.ts), in force before the answer.
      const changes = streakChanges(stored.map(({ e }) => ({ sessionId: decisions.get(e.decision_id)!.session_id, status: e.status })));
      for (const s of await recordStreaks(changes)) rt.sessions.invalidate(s);
      return { accepted: fresh.length, duplicates: events.length - fresh.length };
    } catch (err) {
      if (err instanceof ConflictError) continue; // recorded concurrently: filter again
      throw err;
    }
  }
  void inBatchDuplicates;
  throw new MandateError(503, "events_contention", "events are being recorded concurrently; retry");
}
