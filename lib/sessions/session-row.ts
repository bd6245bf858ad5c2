/**
 * A session's row, mapped once: the decision path's cache (session-cache.ts) and the console's reads
 * (queries.ts) both read these columns and map them here, typed by the Session model (lib/db/rows.ts).
 */
import type { Row } from "../db/rows.ts";

/** The columns every reader of a session maps (callers add their own, and an alias where they join). */
export type SessionRow = Row<
  "sessions",
  "id" | "agent_id" | "initiator" | "initiator_verified" | "step_count" | "tools_used" | "labels" | "status" | "started_at"
>;

export interface SessionFields {
  id: string;
  agentId: string;
  initiator: string | null;
  initiatorVerified: boolean;
  stepCount: number;
  toolsUsed: string[];
  labels: string[];
  status: "active" | "terminated";
  startedAt: Date;
}

export function sessionFields(r: SessionRow): SessionFields {
  return {
    id: r.id,
    agentId: r.agent_id,
    initiator: r.initiator,
    initiatorVerified: r.initiator_verified,
    stepCount: r.step_count,
    // Array columns are nullable in SQL (Prisma's list fields carry no NOT NULL).
    toolsUsed: r.tools_used ?? [],
    labels: r.labels ?? [],
    status: r.status as SessionFields["status"],
    startedAt: r.started_at,
  };
}
