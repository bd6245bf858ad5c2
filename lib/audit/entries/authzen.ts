/**
 * AuthZEN entries, on the decision chains with `kind = 'decision'` and `data.api = "authzen"`: every
 * evaluation (single or batch item, `decision.allow` / `decision.deny`) and every search
 * (`search.subject`, `search.resource`, `search.action`). The actor is the PEP key. Requests are
 * stored with secrets redacted, like tool arguments. (A tools/call through the MCP profile is decided
 * and recorded by the native pipeline: a decision entry of decision.ts.)
 */
import { z } from "zod";
import type { AuditEntryInput } from "../hash.ts";
import { count, defineEntry, FORMAT_VERSION, reason, uuid } from "./define.ts";

const caller = {
  api: z.literal("authzen"),
  /** The policy store the PEP key is bound to. */
  store: z.string(),
  /** X-Request-ID of the HTTP request (generated when absent). */
  request_id: z.string(),
  pep: z.strictObject({ key_id: z.string(), name: z.string() }),
};
const request = z.record(z.string(), z.json());
const reasons = z.array(reason);

/** An evaluation in a store of AuthZEN policies. */
const evaluated = z.strictObject({
  ...caller,
  request,
  /** The directory entities the evaluation used (entity references and what the directory held). */
  directory: z.json(),
  reasons,
  errors: reasons,
  policy_version: z.string(),
  latency_us: count,
  shadow: z.strictObject({ version: z.string(), decision: z.enum(["allow", "deny"]), reasons }).nullable(),
});
/** A batch item that could not be evaluated (malformed, or the evaluation failed): denied. */
const refused = z.strictObject({ ...caller, reasons, errors: reasons });
/** The MCP store refused the request before deciding (unsupported action, unknown agent or tool reference). */
const mcpRefused = z.strictObject({ ...caller, request, reasons, errors: reasons });
/** The MCP store's tools/list: is the tool visible to the agent. */
const mcpList = z.strictObject({ ...caller, request, action: z.literal("tools/list"), reasons, errors: reasons, policy_version: z.string() });
/** COAZ-MCP: initialize or a list method on a server (resource type mcp_server); an allow's reason is the built-in permit. */
const mcpServer = z.strictObject({
  ...caller,
  request,
  action: z.enum(["initialize", "tools/list", "resources/list", "resources/templates/list", "prompts/list", "tasks/list"]),
  reasons,
  errors: reasons,
  policy_version: z.string(),
});

const authzenDecisionData = z.union([evaluated, refused, mcpRefused, mcpList, mcpServer]);
export type AuthzenDecisionData = z.infer<typeof authzenDecisionData>;

export const AUTHZEN_DECISION_ENTRY = defineEntry({
  kind: "decision",
  actions: ["decision.allow", "decision.deny"],
  data: authzenDecisionData,
  columns: {
    actor: z.string().startsWith("pep:"),
    agent_id: uuid.nullable(),
    tool: z.string().nullable(),
    outcome: z.enum(["allow", "deny"]),
    decision_id: uuid,
  },
});

const authzenSearchData = z.strictObject({
  ...caller,
  search: z.enum(["subject", "resource", "action"]),
  /** The search request (subject, action, resource, context), redacted. */
  query: request,
  result_count: count,
  scanned: count,
  more: z.boolean(),
  policy_version: z.string(),
  latency_us: count,
});
export type AuthzenSearchData = z.infer<typeof authzenSearchData>;

export const AUTHZEN_SEARCH_ENTRY = defineEntry({
  kind: "decision",
  actions: ["search.subject", "search.resource", "search.action"],
  data: authzenSearchData,
  columns: { actor: z.string().startsWith("pep:") },
});

export interface AuthzenCaller {
  pep: { keyId: string; name: string };
  requestId: string;
}

type CallerFields = "api" | "store" | "request_id" | "pep";
/** The data a caller gives: without the caller's fields; the request as redacted (any JSON). */
type Parts<T> = T extends unknown ? { [K in Exclude<keyof T, CallerFields>]: K extends "request" | "query" | "directory" ? unknown : T[K] } : never;

function callerData(caller: AuthzenCaller, store: string) {
  return { api: "authzen" as const, store, request_id: caller.requestId, pep: { key_id: caller.pep.keyId, name: caller.pep.name } };
}

/** The builder of an AuthZEN evaluation's entry. */
export function authzenDecisionEntry(
  caller: AuthzenCaller,
  store: string,
  decisionId: string,
  outcome: "allow" | "deny",
  data: Parts<AuthzenDecisionData>,
  columns: { tool?: string | null; agent_id?: string | null } = {},
): AuditEntryInput {
  return {
    kind: "decision",
    action: `decision.${outcome}`,
    actor: `pep:${caller.pep.keyId}`,
    outcome,
    decision_id: decisionId,
    created_at: new Date().toISOString(),
    ...columns,
    data: { ...callerData(caller, store), ...data, v: FORMAT_VERSION },
  };
}

/** The builder of an AuthZEN search's entry (no decision id, no outcome). */
export function authzenSearchEntry(caller: AuthzenCaller, store: string, data: Parts<AuthzenSearchData>): AuditEntryInput {
  return {
    kind: "decision",
    action: `search.${data.search}`,
    actor: `pep:${caller.pep.keyId}`,
    outcome: null,
    decision_id: null,
    created_at: new Date().toISOString(),
    data: { ...callerData(caller, store), ...data, v: FORMAT_VERSION },
  };
}
