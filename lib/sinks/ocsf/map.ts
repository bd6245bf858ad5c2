/**
 * Mandate audit entries as OCSF events (docs/siem.md has the table). OCSF is pinned at OCSF_VERSION; the
 * emitted classes' JSON Schemas, written from that version's specification, are in ./schemas and every
 * mapping is checked against them (map.test.ts). Three classes:
 *
 *   API Activity (6003)       decisions (native and AuthZEN, `decision.*`, `search.*`) and outcomes
 *   Authentication (3002)     console sign-in, sign-out and refused sign-ins (`auth.signin*`, `auth.signout`)
 *   Entity Management (3004)  everything else: admin actions, approvals, delegation, the node's own events
 *
 * Every event carries its idempotency id in `metadata.uid` (eventId(): chain id and seq, stable across
 * retries and nodes), and the entry itself (with its hash) in `unmapped.mandate`.
 */
import { isIP } from "node:net";

export const OCSF_VERSION = "1.3.0";
const PRODUCT = { name: "Mandate", vendor_name: "Mandate", version: "0.1.0" };

/** An audit entry as the deliverer reads it (lib/sinks/read-entries.ts). */
export interface SinkEntry {
  chain_id: string;
  seq: number;
  kind: string;
  action: string;
  actor: string;
  session_id: string | null;
  step: number | null;
  agent_id: string | null;
  tool: string | null;
  outcome: string | null;
  decision_id: string | null;
  created_at: string;
  hash: string;
  data: Record<string, unknown>;
}

export type OcsfEvent = Record<string, unknown> & { class_uid: number; time: number; metadata: { uid: string } };

/** The idempotency id of an entry's event: the same on every attempt, every node, every sink. */
export function eventId(e: { chain_id: string; seq: number }): string {
  return `${e.chain_id}:${e.seq}`;
}

const SEVERITY = { 1: "Informational", 2: "Low", 3: "Medium" } as const;
const STATUS = { 1: "Success", 2: "Failure", 99: "Other" } as const;
type StatusId = keyof typeof STATUS;

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
/** Drops undefined members (JSON has none; the schemas refuse nulls where the spec has a type). */
function clean<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function base(
  e: SinkEntry,
  cls: { uid: number; name: string; category: number; categoryName: string },
  activity: { id: number; name: string },
  status: StatusId,
) {
  const severity = status === 2 ? 3 : 1;
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: cls.category,
    category_name: cls.categoryName,
    class_uid: cls.uid,
    class_name: cls.name,
    type_uid: cls.uid * 100 + activity.id,
    type_name: `${cls.name}: ${activity.name}`,
    severity_id: severity,
    severity: SEVERITY[severity],
    status_id: status,
    status: STATUS[status],
    time: Date.parse(e.created_at),
    message: `${e.action} by ${e.actor}`,
    metadata: clean({
      version: OCSF_VERSION,
      uid: eventId(e),
      correlation_uid: e.decision_id ?? undefined,
      sequence: e.seq,
      log_name: "mandate.audit",
      log_provider: `chain:${e.chain_id}`,
      original_time: e.created_at,
      labels: [e.kind, e.action],
      product: PRODUCT,
    }),
    unmapped: { mandate: { chain_id: e.chain_id, seq: e.seq, hash: e.hash, kind: e.kind, action: e.action, actor: e.actor, data: e.data } },
  };
}

/** `agent:<name>`, `user:<email>`, `system`, `node:<id>`, `cli:<user>` → an OCSF user. */
function userOf(actor: string): Record<string, unknown> {
  const [prefix, ...rest] = actor.split(":");
  const name = rest.length ? rest.join(":") : actor;
  if (prefix === "user") return { name, email_addr: name.includes("@") ? name : undefined, type_id: 1, type: "User" };
  if (prefix === "agent") return { name, type_id: 99, type: "Agent" };
  return { name: actor, type_id: 3, type: "System" };
}

function apiActivity(e: SinkEntry): OcsfEvent {
  const d = e.data;
  const tool = obj(d.tool);
  const agent = obj(d.agent);
  const decision = e.action.startsWith("decision.") ? e.action.slice("decision.".length) : undefined;
  const isOutcome = e.kind === "outcome";
  const status: StatusId = isOutcome ? (e.action === "outcome.error" ? 2 : 1) : decision === "deny" ? 2 : decision === "require_approval" ? 99 : 1;
  const activity = isOutcome ? { id: 99, name: "Outcome" } : e.action.startsWith("search.") ? { id: 2, name: "Read" } : { id: 99, name: "Authorize" };
  const reasons = Array.isArray(d.reasons) ? (d.reasons as Array<{ policy?: string; message?: string }>) : [];
  const userName = str(agent.name) ?? e.actor;
  const server = str(tool.server);
  const toolName = str(tool.name) ?? e.tool ?? undefined;
  const ev = {
    ...base(e, { uid: 6003, name: "API Activity", category: 6, categoryName: "Application Activity" }, activity, status),
    status_detail: decision ?? (isOutcome ? (e.outcome ?? undefined) : undefined),
    actor: clean({
      user: clean({ ...userOf(e.actor), name: userName, uid: e.agent_id ?? str(agent.id) }),
      session: e.session_id ? { uid: e.session_id } : undefined,
      authorizations: decision ? [{ decision, ...(reasons[0]?.policy ? { policy: { uid: reasons[0].policy, name: reasons[0].policy } } : {}) }] : undefined,
    }),
    api: clean({
      operation: str(d.method) ?? (toolName ? "tools/call" : e.action),
      service: server ? { name: server } : undefined,
      request: { uid: str(d.request_id) ?? e.decision_id ?? eventId(e) },
      version: str(d.policy_version),
    }),
    src_endpoint: { name: userName, uid: str(agent.key_id) ?? e.actor },
    resources: toolName ? [clean({ name: toolName, type: "tool", uid: server ? `${server}/${toolName}` : toolName })] : undefined,
  };
  return clean(ev);
}

function authentication(e: SinkEntry): OcsfEvent {
  const d = e.data;
  const signOut = e.action === "auth.signout";
  const failed = e.action === "auth.signin_failed" || e.action === "auth.signin_throttled";
  const source = str(d.source);
  const ev = {
    ...base(
      e,
      { uid: 3002, name: "Authentication", category: 3, categoryName: "Identity & Access Management" },
      signOut ? { id: 2, name: "Logoff" } : { id: 1, name: "Logon" },
      failed ? 2 : 1,
    ),
    status_detail: str(d.reason),
    user: clean({ name: str(d.email) ?? e.actor, uid: str(d.user_id), email_addr: str(d.email), type_id: 1, type: "User" }),
    src_endpoint: source ? (isIP(source) ? { ip: source } : { name: source }) : undefined,
    auth_protocol: str(d.provider) === "oidc" ? "OpenID Connect" : str(d.provider) ? "Password" : undefined,
    session: str(d.session_id) ? { uid: str(d.session_id) } : undefined,
  };
  return clean(ev);
}

const CREATE = /\.(create|add|new|issue|import|sso_link|draft|put)$/;
const DELETE = /\.(revoke|remove|delete|leak_revoke)$/;

function entityManagement(e: SinkEntry): OcsfEvent {
  const d = e.data;
  const [noun] = e.action.split(".");
  const activity = CREATE.test(e.action) ? { id: 1, name: "Create" } : DELETE.test(e.action) ? { id: 4, name: "Delete" } : { id: 3, name: "Update" };
  const refused = e.outcome === "deny" || e.action.endsWith(".refuse");
  const uid =
    str(d.id) ?? str(d.approval_id) ?? str(d.agent_id) ?? str(d.user_id) ?? str(d.token_id) ?? str(d.key_id) ?? e.agent_id ?? e.session_id ?? undefined;
  const name = str(d.name) ?? str(d.email) ?? e.tool ?? uid ?? noun;
  const ev = {
    ...base(e, { uid: 3004, name: "Entity Management", category: 3, categoryName: "Identity & Access Management" }, activity, refused ? 2 : 1),
    status_detail: e.outcome ?? undefined,
    actor: { user: userOf(e.actor) },
    entity: clean({ name, uid, type: noun }),
    comment: str(d.reason) ?? str(d.comment) ?? str(d.note),
  };
  return clean(ev);
}

/** The OCSF event of one audit entry. */
export function toOcsf(e: SinkEntry): OcsfEvent {
  if (e.kind === "decision" || e.kind === "outcome") return apiActivity(e);
  if (/^auth\.(signin|signin_failed|signin_throttled|signout)$/.test(e.action)) return authentication(e);
  return entityManagement(e);
}
