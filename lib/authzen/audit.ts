/**
 * Answers and audit entries of AuthZEN decisions. Every decision goes to the node's decision chain
 * (the same hash-chained log as the native path), with the PEP as the actor and the request's
 * properties and context redacted like tool arguments. The entries are built by
 * lib/audit/entries/authzen.ts.
 */
import type { AuditEntryInput } from "../audit/hash.ts";
import type { Reason } from "../policy/interpret.ts";
import { redactArguments } from "../redaction/index.ts";
import type { PepPrincipal } from "./pep-keys.ts";
import type { Span } from "../telemetry/tracing.ts";

export interface Answer {
  decision: boolean;
  context?: Record<string, unknown>;
}
export interface ItemOutcome {
  answer: Answer;
  /** The audit entry to commit (null when the pipeline already committed one, as decide() does). */
  audit: AuditEntryInput | null;
}
export interface Caller {
  pep: PepPrincipal;
  requestId: string;
  /** The request's recording span (a sampled request, traces on: lib/http/route.ts). */
  span?: Span;
}

export function reasonText(reasons: Reason[]): string {
  return reasons.map((r) => `${r.policy}: ${r.message}`).join("; ");
}

export function decisionContext(decisionId: string, allowed: boolean, reasons: Reason[], version: string): Record<string, unknown> {
  return allowed ? { id: decisionId, policy_version: version } : { id: decisionId, reason_admin: { en: reasonText(reasons) }, policy_version: version };
}

/** The request as stored in the audit log: secrets in properties and context redacted. */
export function auditedRequest(ev: unknown): unknown {
  return redactArguments(ev, { sensitiveArgs: [] }).redacted;
}
