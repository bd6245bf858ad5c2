/**
 * Session state for decisions: cached in the node, with PostgreSQL as the truth. The step count (and
 * the number of approvals granted) is the version: a commit that finds another version (another node
 * moved the session, a human granted an approval) is rejected by mandate_commit(), and the decision is
 * re-evaluated on fresh state. Decisions on one session are serialised in the node (a per-session
 * queue), so the state each one sees is exact.
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { sessionFields, type SessionRow } from "./session-row.ts";
import type { StoredSessionCounters } from "../counters/session-counters.ts";

export interface SessionState {
  id: string;
  exists: boolean;
  agentId: string | null;
  initiator: string | null;
  initiatorVerified: boolean;
  stepCount: number;
  toolsUsed: string[];
  labels: string[];
  /** The labels found in what flowed (results inspected by the gateway); also in `labels`. */
  observedLabels: string[];
  status: "active" | "terminated";
  terminatedReason: string | null;
  startedAt: number;
  /** Approvals granted in this session (0: no approved approval can exist, none is looked up). */
  approvalsGranted: number;
  /** Exact per-session counters (lib/counters/session-counters.ts); absent: none yet. */
  counters?: StoredSessionCounters;
  /** Failed outcomes in a row (lib/counters/failure-streaks.ts); absent: 0. */
  consecutiveFailures?: number;
}

const MAX_ENTRIES = 100_000;

export class SessionCache {
  private states = new Map<string, SessionState>();
  private locks = new Map<string, Promise<unknown>>();

  async get(id: string): Promise<SessionState> {
    const hit = this.states.get(id);
    if (hit) return hit;
    const state = await loadSession(id);
    this.set(state);
    return state;
  }

  set(state: SessionState): void {
    if (this.states.size >= MAX_ENTRIES) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
    this.states.delete(state.id);
    this.states.set(state.id, state);
  }

  invalidate(id: string): void {
    this.states.delete(id);
  }

  clear(): void {
    this.states.clear();
  }

  /** Runs fn with exclusive use of the session within this node. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    this.locks.set(id, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(id) === chained) this.locks.delete(id);
    }
  }
}

/** A session that does not exist yet: what a first decision on `id` sees (it starts now, with no steps). */
export function emptySession(id: string): SessionState {
  return {
    id,
    exists: false,
    agentId: null,
    initiator: null,
    initiatorVerified: false,
    stepCount: 0,
    toolsUsed: [],
    labels: [],
    observedLabels: [],
    status: "active",
    terminatedReason: null,
    startedAt: Date.now(),
    approvalsGranted: 0,
  };
}

export async function loadSession(id: string): Promise<SessionState> {
  const r = await getPool().query<
    SessionRow & Row<"sessions", "terminated_reason" | "approvals_granted" | "observed_labels" | "counters"> & { failures: number | null }
  >(
    `SELECT id, agent_id, initiator, initiator_verified, step_count, tools_used, labels, status,
            terminated_reason, started_at, approvals_granted, observed_labels, counters,
            (SELECT f.failures FROM session_failure_streaks f WHERE f.session_id = sessions.id) AS failures
       FROM sessions WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return emptySession(id);
  const f = sessionFields(row);
  return {
    ...f,
    exists: true,
    terminatedReason: row.terminated_reason,
    startedAt: f.startedAt.getTime(),
    approvalsGranted: row.approvals_granted,
    observedLabels: row.observed_labels ?? [],
    counters: row.counters as StoredSessionCounters,
    consecutiveFailures: row.failures ?? 0,
  };
}
