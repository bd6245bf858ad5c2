/**
 * A session's risk score (docs/analyst.md, "Risk score"): what the "Needs me now" view sorts by and the
 * session list's Risk column. Computed when read, from columns the decision path already keeps (deny,
 * approval and step counts, labels, tools used) plus the session's delegations and the inventory's
 * classification: no column is added to the per-decision session update, which stays heap-only.
 *
 *   base  = min(100, denies + deny rate + approvals + labels + tools + delegation)   (parts below)
 *   score = round(base × 0.5 ^ (hours since last activity / 24))
 *
 * The formula lives here once: `riskParts` computes it in TypeScript (the pages, the unit test) and
 * `riskSql` writes the same base as SQL for sorting; an integration test checks the two agree.
 * Plain data and arithmetic only (no zod): the browser imports it too.
 */
export const RISK = {
  /** Points per denied step, up to `maxDenies`. */
  perDeny: 3,
  maxDenies: 24,
  /** Points for a session whose every step was denied (scaled by denies / steps). */
  denyRate: 20,
  /** Points per approval asked for, up to `maxApprovals`. */
  perApproval: 4,
  maxApprovals: 12,
  /** Points per distinct destructive or high/critical-risk tool the session called (allowed), up to `maxTools`. */
  perRiskyTool: 6,
  maxTools: 12,
  /** Points per hop of the deepest delegation chain in the session, up to `maxDelegation`. */
  perDelegationHop: 4,
  maxDelegation: 12,
  /** The score halves for every this many hours without activity. */
  halfLifeHours: 24,
  /** A session idle this long has decayed below 1 point even from 100: the "Needs me now" view leaves it out. */
  horizonDays: 7,
} as const;

/** Dangerous combinations of session labels: the session gets the points of the worst one it holds. */
export const DANGEROUS_LABELS: ReadonlyArray<{ labels: readonly string[]; points: number; why: string }> = [
  { labels: ["pii", "untrusted_content", "external_comm"], points: 24, why: "the lethal trifecta: private data, untrusted input and a way out" },
  { labels: ["secrets", "external_comm"], points: 20, why: "secrets and a way out" },
  { labels: ["pii", "untrusted_content"], points: 16, why: "private data read alongside untrusted input: one outbound call from the trifecta" },
  { labels: ["secrets", "untrusted_content"], points: 16, why: "secrets read alongside untrusted input" },
  { labels: ["pii", "external_comm"], points: 12, why: "private data and a way out" },
  { labels: ["financial", "external_comm"], points: 12, why: "financial data and a way out" },
];

/** Tools whose call counts towards the score: the inventory's classification. */
export const RISKY_EFFECTS = ["destructive"] as const;
export const RISKY_LEVELS = ["high", "critical"] as const;

export interface RiskInputs {
  steps: number;
  denies: number;
  approvals: number;
  labels: readonly string[];
  /** Distinct destructive or high/critical-risk tools among the tools the session used. */
  riskyTools: number;
  /** Depth of the deepest delegation issued in the session (0: none). */
  delegationDepth: number;
}

export interface RiskParts {
  denies: number;
  denyRate: number;
  approvals: number;
  labels: number;
  tools: number;
  delegation: number;
  /** min(100, sum of the parts), before the decay. */
  base: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function riskParts(i: RiskInputs): RiskParts {
  const held = new Set(i.labels);
  const parts = {
    denies: Math.min(RISK.maxDenies, RISK.perDeny * i.denies),
    denyRate: i.steps > 0 ? r2((RISK.denyRate * Math.min(i.denies, i.steps)) / i.steps) : 0,
    approvals: Math.min(RISK.maxApprovals, RISK.perApproval * i.approvals),
    labels: Math.max(0, ...DANGEROUS_LABELS.filter((d) => d.labels.every((l) => held.has(l))).map((d) => d.points)),
    tools: Math.min(RISK.maxTools, RISK.perRiskyTool * i.riskyTools),
    delegation: Math.min(RISK.maxDelegation, RISK.perDelegationHop * i.delegationDepth),
  };
  const sum = parts.denies + parts.denyRate + parts.approvals + parts.labels + parts.tools + parts.delegation;
  return { ...parts, base: r2(Math.min(100, sum)) };
}

/** The decay factor for a session last active at `lastActivity` (1 when active now or in the future). */
export function riskDecay(lastActivity: Date | string | number, now: number): number {
  const hours = Math.max(0, now - new Date(lastActivity).getTime()) / 3_600_000;
  return 0.5 ** (hours / RISK.halfLifeHours);
}

/** The score shown: the base decayed by the time since the session's last activity, rounded. */
export function riskScore(base: number, lastActivity: Date | string | number, now: number): number {
  return Math.round(base * riskDecay(lastActivity, now));
}

/** The parts as a one-line explanation (the Risk column's tooltip), zero parts left out. */
export function explainRisk(p: RiskParts, score: number): string {
  const named: Array<[string, number]> = [
    ["denies", p.denies],
    ["deny rate", p.denyRate],
    ["approvals", p.approvals],
    ["label combination", p.labels],
    ["risky tools", p.tools],
    ["delegation depth", p.delegation],
  ];
  const shown = named.filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`);
  if (!shown.length) return "Risk 0: no denies, approvals, dangerous labels, risky tools or delegation";
  return `Risk ${score} of base ${p.base} (${shown.join(" + ")}), halving every ${RISK.halfLifeHours} h without activity`;
}

const sqlList = (xs: readonly string[]) => `'{${xs.join(",")}}'::text[]`;

/**
 * The same base in SQL, in integer hundredths of a point (exact, and cheaper than numeric over every
 * session when a list sorts by risk), for sessions aliased `s`, given expressions for the risky tool count
 * and the delegation depth. The deny rate is rounded half up like Math.round: floor(2000·d/steps + ½).
 * The sort key is log2(base) + last activity in half-lives, which orders sessions exactly as their decayed
 * score does at any moment (every score decays by the same factor), so a keyset cursor stays valid while
 * time passes. A session with base 0 sorts below any other.
 */
export function riskSql(riskyTools: string, delegationDepth: string): { hundredths: string; sortKey: (hundredths: string) => string } {
  const labels = `GREATEST(0, ${DANGEROUS_LABELS.map((d) => `CASE WHEN s.labels @> ${sqlList(d.labels)} THEN ${d.points} ELSE 0 END`).join(", ")})`;
  const rate = `CASE WHEN s.step_count > 0 THEN (${2 * 100 * RISK.denyRate} * LEAST(s.deny_count, s.step_count) + s.step_count) / (2 * s.step_count) ELSE 0 END`;
  const points = [
    `LEAST(${RISK.maxDenies}, ${RISK.perDeny} * s.deny_count)`,
    `LEAST(${RISK.maxApprovals}, ${RISK.perApproval} * s.approval_count)`,
    labels,
    `LEAST(${RISK.maxTools}, ${RISK.perRiskyTool} * (${riskyTools}))`,
    `LEAST(${RISK.maxDelegation}, ${RISK.perDelegationHop} * (${delegationDepth}))`,
  ].join(" + ");
  const halfLife = RISK.halfLifeHours * 3600;
  return {
    hundredths: `LEAST(10000, 100 * (${points}) + ${rate})`,
    sortKey: (h) => `(CASE WHEN ${h} > 0 THEN ln(${h}::double precision) / ln(2::double precision) ELSE -1000000 END
        + extract(epoch FROM s.last_activity_at)::double precision / ${halfLife})`,
  };
}

/** SQL for the inventory keys of risky tools (as sessions.tools_used names them). */
export const RISKY_TOOL_KEYS = `SELECT srv.name || '/' || (CASE t.kind WHEN 'prompt' THEN 'prompt:' ELSE '' END) || t.name
    FROM tools t JOIN tool_servers srv ON srv.id = t.server_id
   WHERE t.status = 'approved' AND (t.effect = ANY(${sqlList(RISKY_EFFECTS)}) OR t.risk = ANY(${sqlList(RISKY_LEVELS)}))`;
