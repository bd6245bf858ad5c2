/**
 * The audit entry format, in one place: every kind and action that Mandate writes, its columns and its
 * `data` as a versioned zod schema with one builder each, and the JSON paths SQL reads it by. The
 * log is append-only and never migrated: docs/audit-format.md is the contract for readers (SIEMs,
 * auditors); the rules for changing it are there ("Versioning").
 */
import type { AuditKind } from "../hash.ts";
import { AUTHZEN_DECISION_ENTRY, AUTHZEN_SEARCH_ENTRY, type AuthzenDecisionData } from "./authzen.ts";
import { APPROVAL_DECIDED_ENTRY, APPROVAL_EXPIRED_ENTRY } from "./approval.ts";
import { DECISION_ENTRY, type DecisionData } from "./decision.ts";
import { dataSchemaFor, FORMAT_VERSION, type EntryDef } from "./define.ts";
import { DELEGATION_ISSUE_ENTRY, DELEGATION_REVOKE_ENTRY } from "./delegation.ts";
import * as identity from "./identity.ts";
import * as inventory from "./inventory.ts";
import { AUDIT_ARCHIVE_ENTRY, DATABASE_RESTARTED_ENTRY, SESSION_TERMINATE_ENTRY } from "./operations.ts";
import { OBSERVATION_ENTRY, OUTCOME_ENTRY } from "./outcome.ts";
import * as policy from "./policy.ts";
import * as signIn from "./sign-in.ts";
import * as sinks from "./sinks.ts";
import { dataPaths } from "./paths.ts";

export { entryAt, FORMAT_VERSION, type EntryDraft } from "./define.ts";
export { DECISION, decisionEntry, type DecisionData, type DecisionFacts } from "./decision.ts";
export { authzenDecisionEntry, authzenSearchEntry } from "./authzen.ts";
export { observationEntry, outcomeEntry } from "./outcome.ts";
export { APPROVAL_DECIDED_ENTRY, APPROVAL_EXPIRED_ENTRY } from "./approval.ts";
export { DELEGATION_ISSUE_ENTRY, DELEGATION_REVOKE_ENTRY } from "./delegation.ts";
export { AUDIT_ARCHIVE_ENTRY, DATABASE_RESTARTED_ENTRY, SESSION_TERMINATE_ENTRY } from "./operations.ts";
export * from "./identity.ts";
export * from "./inventory.ts";
export * from "./policy.ts";
export * from "./sign-in.ts";
export * from "./sinks.ts";

const decided = dataPaths<DecisionData | AuthzenDecisionData>();
/** JSON paths that native and AuthZEN decision entries share (the export's reasons and policy_version columns). */
export const DECIDED = {
  reasons: decided("reasons"),
  policyVersion: decided("policy_version"),
};

/** Every entry definition. */
export const ENTRY_DEFS = [
  DECISION_ENTRY,
  AUTHZEN_DECISION_ENTRY,
  AUTHZEN_SEARCH_ENTRY,
  OUTCOME_ENTRY,
  OBSERVATION_ENTRY,
  APPROVAL_DECIDED_ENTRY,
  APPROVAL_EXPIRED_ENTRY,
  DELEGATION_ISSUE_ENTRY,
  DELEGATION_REVOKE_ENTRY,
  ...Object.values(identity),
  ...Object.values(signIn),
  ...Object.values(policy),
  ...Object.values(inventory),
  ...Object.values(sinks),
  SESSION_TERMINATE_ENTRY,
  DATABASE_RESTARTED_ENTRY,
  AUDIT_ARCHIVE_ENTRY,
] as readonly EntryDef[];

/** "kind action" → the definitions of it (a native and an AuthZEN decision share their actions). */
const BY_ACTION = new Map<string, EntryDef[]>();
for (const d of ENTRY_DEFS) {
  for (const a of d.actions) {
    const k = `${d.kind} ${a}`;
    BY_ACTION.set(k, [...(BY_ACTION.get(k) ?? []), d]);
  }
}

/** Every (kind, action) pair that Mandate writes. */
export function knownActions(): Array<{ kind: AuditKind; action: string }> {
  return ENTRY_DEFS.flatMap((d) => d.actions.map((action) => ({ kind: d.kind, action })));
}

/** An entry as stored (columns as PostgreSQL returns them; created_at and the chain columns are not checked here). */
export interface StoredEntry {
  kind: string;
  action: string;
  actor: string;
  session_id: string | null;
  step: number | null;
  agent_id: string | null;
  tool: string | null;
  outcome: string | null;
  decision_id: string | null;
  data: unknown;
}

export type EntryCheck = { ok: true; def: EntryDef; version: number } | { ok: false; error: string };

/**
 * Checks a stored entry against the format: its (kind, action) must have a definition, its columns
 * and its `data` must match it for the entry's format version (`data.v`, 0 when absent).
 */
export function checkEntry(e: StoredEntry): EntryCheck {
  const defs = BY_ACTION.get(`${e.kind} ${e.action}`);
  if (!defs) return { ok: false, error: `no schema for kind "${e.kind}", action "${e.action}"` };
  const data = e.data as { v?: unknown } | null;
  const v = data && typeof data === "object" && "v" in data ? data.v : 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > FORMAT_VERSION) return { ok: false, error: `unknown format version ${JSON.stringify(v)}` };
  const problems: string[] = [];
  const columns = {
    actor: e.actor,
    session_id: e.session_id,
    step: e.step === null ? null : Number(e.step),
    agent_id: e.agent_id,
    tool: e.tool,
    outcome: e.outcome,
    decision_id: e.decision_id,
  };
  for (const def of defs) {
    const c = def.columns.safeParse(columns);
    const d = dataSchemaFor(def, v).safeParse(e.data);
    if (c.success && d.success) return { ok: true, def, version: v };
    problems.push(
      [
        ...(c.error?.issues ?? []).map((i) => `column ${i.path.join(".")}: ${i.message}`),
        ...(d.error?.issues ?? []).map((i) => `data.${i.path.join(".")}: ${i.message}`),
      ].join("; "),
    );
  }
  return { ok: false, error: `${e.kind} ${e.action} (v${v}): ${problems.join(" | ")}` };
}
