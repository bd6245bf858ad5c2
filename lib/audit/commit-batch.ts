/**
 * The JSON input of `mandate_commit(batch jsonb)`: the contract between the audit chain
 * (lib/audit/chain.ts builds the batch) and the PL/pgSQL function that writes it in one statement.
 *
 * The function's live definition is the latest migration that redefines it:
 * prisma/migrations/20261208011000_consecutive_failures/migration.sql (ARCHITECTURE.md,
 * "Persistence", says the same; test/integration/commit-contract.test.ts checks both against the
 * function in PostgreSQL). A migration that redefines the function updates this pointer.
 *
 * Each schema lists exactly the keys the function reads (its `jsonb_to_recordset(...) AS x(...)` column
 * lists), typed as the function casts them: the test compares the two. The hot path does not parse its
 * batches with these schemas (it builds them from typed values); the types below are what it builds.
 */
import { z } from "zod";

const uuid = z.guid();
/** timestamptz as the node writes it: ISO 8601 in UTC. */
const timestamp = z.iso.datetime();
const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** A session the decision moved: inserted when `expected` is 0, else updated if still as the decision saw it. */
export const SessionWriteSchema = z.strictObject({
  id: z.string(),
  agent_id: uuid,
  /** The session's step count as the decision saw it (0: a new session). */
  expected: z.int32().nonnegative(),
  expected_status: z.string(),
  /** The approvals granted in the session as the decision saw them (checked like the step count). */
  expected_granted: z.int32().nonnegative(),
  step_count: z.int32().positive(),
  labels: z.array(z.string()),
  tools_used: z.array(z.string()),
  initiator: z.string().nullable(),
  initiator_verified: z.boolean(),
  denies: z.int32().nonnegative(),
  approvals: z.int32().nonnegative(),
  at: timestamp,
  /** Only an observation sends them (the whole new set); decisions leave the observed labels as they are. */
  observed_labels: z.array(z.string()).optional(),
  /** Only decisions send them (the whole new per-session counters, lib/counters/session-counters.ts); observations keep them. */
  counters: z.record(z.string(), z.unknown()).optional(),
  /** Decisions whose policy reads consecutive failures: the count they saw (a different stored count is a conflict). */
  expected_failures: z.int32().nonnegative().optional(),
});

/** A pending approval a decision created. */
export const ApprovalWriteSchema = z.strictObject({
  id: uuid,
  decision_id: uuid,
  session_id: z.string(),
  step: z.int32(),
  agent_id: uuid,
  tool: z.string(),
  args_hash: z.string(),
  reasons: z.custom<unknown>((v) => v !== null && v !== undefined, "reasons is required"),
  expires_at: timestamp,
  created_at: timestamp,
});

/** An outcome event reported for a forwarded call. */
export const EventWriteSchema = z.strictObject({
  event_id: z.string(),
  decision_id: uuid,
  status: z.string(),
  duration_ms: z.number().nullable(),
  result_size: z.int32().nullable(),
  error: z.string().nullable(),
  received_at: timestamp,
});

/** Calls counted on a tool. */
export const ToolCallWriteSchema = z.strictObject({ tool_id: uuid, n: z.int32().positive() });

/** An audit entry as linked onto its chain (lib/audit/hash.ts: the hashed content plus the hash). */
export const EntryWriteSchema = z.strictObject({
  chain_id: uuid,
  seq: z.int().positive(),
  prev_hash: hash,
  hash,
  kind: z.enum(["decision", "outcome", "approval", "admin", "delegation", "system"]),
  action: z.string(),
  actor: z.string(),
  session_id: z.string().nullable(),
  step: z.int32().nullable(),
  agent_id: uuid.nullable(),
  tool: z.string().nullable(),
  outcome: z.string().nullable(),
  decision_id: uuid.nullable(),
  created_at: timestamp,
  data: z.record(z.string(), z.unknown()),
});

/** The whole argument of `mandate_commit`. Every list may be absent (nothing of that kind). */
export const CommitBatchSchema = z.strictObject({
  entries: z.array(EntryWriteSchema).optional(),
  sessions: z.array(SessionWriteSchema).optional(),
  approvals: z.array(ApprovalWriteSchema).optional(),
  approvals_used: z.array(uuid).optional(),
  events: z.array(EventWriteSchema).optional(),
  tool_calls: z.array(ToolCallWriteSchema).optional(),
});

export type SessionWrite = z.infer<typeof SessionWriteSchema>;
export type ApprovalWrite = z.infer<typeof ApprovalWriteSchema>;
export type EventWrite = z.infer<typeof EventWriteSchema>;
export type ToolCallWrite = z.infer<typeof ToolCallWriteSchema>;
