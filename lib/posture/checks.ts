/**
 * The live checks of the posture report (issue 20 §3): each a figure computed from the database now.
 * Two kinds:
 *  - "range": counted from the audit log over [from, to) — append-only, so the same range gives the same
 *    figure later (until `to` is in the future, or an archive drops the entries);
 *  - "current": the state of the inventory, identities and policies at generation, stamped by the
 *    report with the audit chains' heads.
 * `status` is "ok" (nothing to do), "attention" (something an admin should fix; `fix` says what) or
 * "info" (a figure without a target). Every check links to where its evidence is in the console.
 */
import { getPool } from "../db/pool.ts";
import { LAST_VERIFY_SETTING } from "../audit/last-verify.ts";
import { auditHref } from "../audit/queries-filters.ts";

export type CheckStatus = "ok" | "attention" | "info";

export interface CheckResult {
  id: string;
  title: string;
  kind: "range" | "current";
  /** The figure as a person reads it, e.g. "41/43" or "2". */
  value: string;
  status: CheckStatus;
  /** What the figure counts, exactly. */
  detail: string;
  /** What fixes it (attention only). */
  fix?: string;
  /** A console path with the evidence (filtered list, page). */
  evidence: string;
}

export interface Range {
  from: Date;
  to: Date;
}

/** Thresholds the checks use; the report prints them. */
export const POSTURE_THRESHOLDS = { keyAgeDays: 90, unusedDays: 30, expiringDays: 14 } as const;

const n = (v: unknown) => Number(v ?? 0);
const ratio = (a: number, b: number) => `${a}/${b}`;

async function one<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await getPool().query<T>(sql, params)).rows[0];
}

/** Every active static credential (not revoked, not expired): agent keys, personal tokens, PEP keys. */
const ACTIVE_KEYS = `
  SELECT 'agent' AS kind, created_at, expires_at, last_used_at FROM agent_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
  UNION ALL
  SELECT 'personal', created_at, expires_at, last_used_at FROM api_tokens WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
  UNION ALL
  SELECT 'pep', created_at, expires_at, last_used_at FROM pep_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

export async function runChecks(range: Range): Promise<CheckResult[]> {
  const { keyAgeDays, unusedDays, expiringDays } = POSTURE_THRESHOLDS;
  const time = `${range.from.toISOString()}~${range.to.toISOString()}`;
  const [inv, agents, keys, decisions, trifecta, observed, approvals, policies, lastVerify, checkpoint, delegations, controls] = await Promise.all([
    one(`SELECT count(*) FILTER (WHERE status = 'approved' AND blocked_at IS NULL) AS approved, count(*) AS total,
                count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE change_flag IS NOT NULL) AS changed,
                count(*) FILTER (WHERE blocked_at IS NOT NULL) AS blocked
           FROM tools`),
    one(
      `SELECT count(*) FILTER (WHERE a.suspended_at IS NULL) AS active,
                count(*) FILTER (WHERE a.suspended_at IS NULL AND (a.federated_only OR EXISTS (SELECT 1 FROM agent_trust_rules r WHERE r.agent_id = a.id))) AS federated,
                count(*) FILTER (WHERE a.suspended_at IS NULL AND a.owner_id IS NULL) AS no_owner,
                count(*) FILTER (WHERE a.suspended_at IS NULL AND u.disabled_at IS NOT NULL) AS owner_disabled,
                count(*) FILTER (WHERE a.suspended_at IS NULL AND (a.last_seen_at IS NULL OR a.last_seen_at < now() - make_interval(days => $1))
                                   AND a.created_at < now() - make_interval(days => $1)) AS unused,
                count(*) FILTER (WHERE a.suspended_at IS NULL AND EXISTS (SELECT 1 FROM agent_trust_rules r WHERE r.agent_id = a.id)
                                   AND EXISTS (SELECT 1 FROM agent_keys k WHERE k.agent_id = a.id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()))) AS static_on_federated
           FROM agents a LEFT JOIN users u ON u.id = a.owner_id`,
      [unusedDays],
    ),
    one(
      `SELECT count(*) AS active,
                count(*) FILTER (WHERE created_at < now() - make_interval(days => $1)) AS old,
                count(*) FILTER (WHERE expires_at IS NULL) AS never_expire,
                count(*) FILTER (WHERE created_at < now() - make_interval(days => $2) AND (last_used_at IS NULL OR last_used_at < now() - make_interval(days => $2))) AS unused,
                count(*) FILTER (WHERE expires_at IS NOT NULL AND expires_at < now() + make_interval(days => $3)) AS expiring
           FROM (${ACTIVE_KEYS}) k`,
      [keyAgeDays, unusedDays, expiringDays],
    ),
    one(
      `SELECT count(*) AS total, count(*) FILTER (WHERE outcome = 'deny') AS deny, count(*) FILTER (WHERE outcome = 'allow') AS allow,
                count(*) FILTER (WHERE outcome = 'require_approval') AS approval
           FROM audit_entries WHERE kind = 'decision' AND created_at >= $1 AND created_at < $2`,
      [range.from, range.to],
    ),
    one(
      `SELECT count(*) AS c FROM audit_entries
          WHERE kind = 'decision' AND outcome = 'deny' AND created_at >= $1 AND created_at < $2
            AND data->'reasons' @> '[{"policy": "lethal-trifecta"}]'`,
      [range.from, range.to],
    ),
    one(`SELECT count(*) AS c FROM audit_entries WHERE action = 'outcome.labels_observed' AND created_at >= $1 AND created_at < $2`, [range.from, range.to]),
    one(
      `SELECT count(*) FILTER (WHERE action = 'approval.expire') AS expired, count(*) FILTER (WHERE action IN ('approval.approve', 'approval.deny')) AS decided
           FROM audit_entries WHERE kind = 'approval' AND created_at >= $1 AND created_at < $2`,
      [range.from, range.to],
    ),
    one(`SELECT count(*) FILTER (WHERE status = 'active') AS active,
                count(*) FILTER (WHERE status = 'active' AND jsonb_array_length(tests) > 0) AS tested,
                count(*) FILTER (WHERE status = 'shadow') AS shadow
           FROM policy_versions`),
    one(`SELECT value FROM settings WHERE key = $1`, [LAST_VERIFY_SETTING]),
    one(`SELECT max(created_at) AS at, count(*) AS c FROM audit_checkpoints`),
    one(`SELECT count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now()) AS active, COALESCE(max(depth) FILTER (WHERE revoked_at IS NULL AND expires_at > now()), 0) AS depth
           FROM delegations`),
    one(
      `SELECT count(*) FILTER (WHERE action = 'agent.suspend') AS suspended, count(*) FILTER (WHERE action = 'session.terminate') AS terminated,
                count(*) FILTER (WHERE action = 'tool.block') AS blocked
           FROM audit_entries WHERE kind = 'admin' AND created_at >= $1 AND created_at < $2`,
      [range.from, range.to],
    ),
  ]);

  const verify = (lastVerify?.value ?? null) as { at: string; ok: boolean; mode: string; entries: number } | null;
  const attention = (bad: boolean): CheckStatus => (bad ? "attention" : "ok");
  const checks: CheckResult[] = [
    {
      id: "inventory.approved",
      title: "Tools, resources and prompts with an approved classification",
      kind: "current",
      value: ratio(n(inv.approved), n(inv.total)),
      status: attention(n(inv.pending) + n(inv.changed) > 0),
      detail: `${n(inv.pending)} pending review (${n(inv.changed)} of them changed after approval), ${n(inv.blocked)} blocked; unapproved items are denied and hidden`,
      fix: "Review the pending items in the inventory",
      evidence: "/tools?status=pending",
    },
    {
      id: "agents.federated",
      title: "Agents on a federated workload identity",
      kind: "current",
      value: ratio(n(agents.federated), n(agents.active)),
      status: "info",
      detail: "active agents with a trust rule or federated-only; the others authenticate with static keys only",
      evidence: "/agents",
    },
    {
      id: "agents.static_keys_on_federated",
      title: "Static keys on agents that can federate",
      kind: "current",
      value: String(n(agents.static_on_federated)),
      status: attention(n(agents.static_on_federated) > 0),
      detail: "active agents with a trust rule that still hold an active static key",
      fix: "Revoke the static keys, or make the agent federated-only",
      evidence: "/agents",
    },
    {
      id: "agents.no_owner",
      title: "Agents without an owner",
      kind: "current",
      value: String(n(agents.no_owner)),
      status: attention(n(agents.no_owner) > 0),
      detail: "active agents no user is accountable for",
      fix: "Assign an owner on the agent's page",
      evidence: "/agents",
    },
    {
      id: "agents.owner_disabled",
      title: "Agents owned by a disabled user",
      kind: "current",
      value: String(n(agents.owner_disabled)),
      status: attention(n(agents.owner_disabled) > 0),
      detail: "active agents whose owner has left (the user is disabled)",
      fix: "Reassign the agent or suspend it",
      evidence: "/agents",
    },
    {
      id: "agents.unused",
      title: `Agents unused for ${unusedDays} days`,
      kind: "current",
      value: String(n(agents.unused)),
      status: attention(n(agents.unused) > 0),
      detail: `active agents older than ${unusedDays} days not seen in the last ${unusedDays} days`,
      fix: "Suspend agents nobody runs (offboarding)",
      evidence: "/agents",
    },
    {
      id: "keys.old",
      title: `Static keys older than ${keyAgeDays} days`,
      kind: "current",
      value: String(n(keys.old)),
      status: attention(n(keys.old) > 0),
      detail: `active agent keys, personal tokens and PEP keys created more than ${keyAgeDays} days ago (of ${n(keys.active)} active)`,
      fix: "Rotate them",
      evidence: "/agents",
    },
    {
      id: "keys.never_expire",
      title: "Static keys that never expire",
      kind: "current",
      value: String(n(keys.never_expire)),
      status: attention(n(keys.never_expire) > 0),
      detail: "active keys without an expiry",
      fix: "Replace them with keys that expire",
      evidence: "/agents",
    },
    {
      id: "keys.unused",
      title: `Static keys unused for ${unusedDays} days`,
      kind: "current",
      value: String(n(keys.unused)),
      status: attention(n(keys.unused) > 0),
      detail: `active keys older than ${unusedDays} days not used in the last ${unusedDays} days`,
      fix: "Revoke keys nobody uses",
      evidence: "/agents",
    },
    {
      id: "keys.expiring",
      title: `Static keys expiring within ${expiringDays} days`,
      kind: "current",
      value: String(n(keys.expiring)),
      status: "info",
      detail: "active keys that stop working soon: rotate them before they do",
      evidence: "/agents",
    },
    {
      id: "decisions.range",
      title: "Decisions in the range",
      kind: "range",
      value: String(n(decisions.total)),
      status: "info",
      detail: `${n(decisions.allow)} allowed, ${n(decisions.deny)} denied, ${n(decisions.approval)} sent for approval`,
      evidence: auditHref({ kind: ["decision"], time }),
    },
    {
      id: "decisions.trifecta_denials",
      title: "Lethal-trifecta denials in the range",
      kind: "range",
      value: String(n(trifecta.c)),
      status: "info",
      detail: "calls denied because the session held private data and untrusted content and the tool communicates externally",
      evidence: auditHref({ kind: ["decision"], outcome: ["deny"], time }),
    },
    {
      id: "labels.observed",
      title: "Results that gave their session observed labels, in the range",
      kind: "range",
      value: String(n(observed.c)),
      status: "info",
      detail: "results in which the gateway's detectors or the server's _meta found data labels (pii, secrets, …) before the agent saw them",
      evidence: auditHref({ q: "outcome.labels_observed", time }),
    },
    {
      id: "approvals.sla",
      title: "Approvals that expired undecided, in the range",
      kind: "range",
      value: String(n(approvals.expired)),
      status: attention(n(approvals.expired) > 0),
      detail: `${n(approvals.decided)} approvals decided by a person in the range; expired ones were denied (fail closed)`,
      fix: "Staff the approval queue or adjust what needs approval",
      evidence: "/approvals",
    },
    {
      id: "policies.tested",
      title: "Active policy sets with stored tests",
      kind: "current",
      value: ratio(n(policies.tested), n(policies.active)),
      status: attention(n(policies.tested) < n(policies.active)),
      detail: `${n(policies.shadow)} shadow version(s) running`,
      fix: "Add test cases to the policy set (Policies → Tests)",
      evidence: "/policies",
    },
    {
      id: "audit.verified",
      title: "Audit chain verified",
      kind: "current",
      value: verify ? `${verify.ok ? "ok" : "BROKEN"} at ${verify.at}` : "never",
      status: attention(!verify || !verify.ok || Date.now() - Date.parse(verify.at) > 7 * 86_400_000),
      detail: verify ? `${verify.mode} verification of ${verify.entries} entries` : "no verification recorded",
      fix: "Run mandate audit verify (or Audit → Verify) at least weekly",
      evidence: "/audit",
    },
    {
      id: "audit.checkpoint",
      title: "Latest signed checkpoint",
      kind: "current",
      value: checkpoint?.at ? new Date(checkpoint.at as string).toISOString() : "none",
      status: attention(!checkpoint?.at),
      detail: `${n(checkpoint?.c)} signed checkpoints of the chains' heads, kept outside the database too`,
      fix: "Checkpoints are written by every node; a missing one means no node ran its duties",
      evidence: "/audit",
    },
    {
      id: "delegation.active",
      title: "Active delegations",
      kind: "current",
      value: String(n(delegations.active)),
      status: "info",
      detail: `deepest active chain: ${n(delegations.depth)} hop(s); every delegated call is decided on the whole chain`,
      evidence: "/sessions",
    },
    {
      id: "operator.controls",
      title: "Operator interventions in the range",
      kind: "range",
      value: String(n(controls.suspended) + n(controls.terminated) + n(controls.blocked)),
      status: "info",
      detail: `${n(controls.suspended)} agent suspensions, ${n(controls.terminated)} session terminations, ${n(controls.blocked)} tool blocks`,
      evidence: auditHref({ kind: ["admin"], time }),
    },
  ];
  return checks;
}
