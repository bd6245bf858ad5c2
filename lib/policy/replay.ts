/**
 * What-if replay: the recorded decisions of the last N days evaluated again under a draft policy,
 * counting and listing those whose outcome would change (allow→deny, deny→allow, →require_approval…).
 *
 * Each decision is evaluated at the state it was made in (the session as it stood before that step).
 * Decisions that were settled before policy (suspended agent, unknown/unapproved/blocked tool,
 * terminated session, delegation checks) are counted apart: a policy change cannot change them.
 * Nothing is guessed: a decision whose answer depends on a value the log does not hold (a redacted
 * argument without a retained real value, tools used before the window, the counters behind a rate-limit
 * or loop deny) is reported undeterminable.
 * Speed: the draft is pre-parsed once, requests that agree on everything the draft reads
 * (lib/policy/context-usage.ts) are evaluated once, the distinct ones of each page on every core
 * (replay-pool.ts), and the next page is read from PostgreSQL meanwhile.
 */
import { getPool } from "../db/pool.ts";
import { loadAgents, loadTools, agentNamed } from "./directory.ts";
import { loadReplayValues } from "./replay-values.ts";
import { overlaps, rebuildRequest, type RecordedDecision } from "./replay-request.ts";
import { SessionTracker } from "./replay-sessions.ts";
import { contextUsage, pruneContext, usageKey } from "./context-usage.ts";
import type { CedarCall } from "./evaluator.ts";
import { ReplayPool } from "./replay-pool.ts";
import { actionId, fromAnswers, granted, needsGrantedCheck, preparePolicy, simulatePartial, type Outcome, type SimResult } from "./simulate.ts";
import { DECISION } from "../audit/entries/index.ts";
import { GroupCounter, matches, policyOfChange, type ReplayFilter, type ReplayGroups, type ReplayItem } from "./replay-results.ts";

export type { ReplayItem } from "./replay-results.ts";

export const BUILT_IN_REASONS = new Set([
  "mandate.agent_suspended",
  "mandate.session_terminated",
  "mandate.delegation_invalid",
  "mandate.session_not_owned",
  "mandate.tool_unknown",
  "mandate.tool_rejected",
  "mandate.tool_not_approved",
  "mandate.tool_blocked",
  "mandate.scope_exceeded",
]);

export interface ReplayReport {
  from: string;
  to: string;
  total: number;
  builtIn: number;
  evaluated: number;
  unchanged: number;
  changed: number;
  transitions: Record<string, number>;
  undeterminable: number;
  undeterminableWhy: Record<string, number>;
  retainedUsed: number;
  /** One page of the changes (those of `filter` when given): `page.offset` to `page.offset + page.limit`. */
  changes: ReplayItem[];
  page: { offset: number; limit: number; matched: number; filter: ReplayFilter | null };
  /** Every change counted per agent, tool, policy and direction. */
  groups: ReplayGroups;
  undeterminableSamples: ReplayItem[];
  /** Stopped at a bound before the window's end: `stoppedBy` says which, `coveredTo` how far it got. */
  truncated: boolean;
  stoppedBy: "rows" | "time" | null;
  coveredTo: string;
  bounds: { maxDecisions: number; maxSeconds: number | null };
  distinctRequests: number;
  durationMs: number;
}

const PAGE = 20_000;
const SELECT = `SELECT decision_id, created_at, chain_id, seq, session_id, step, agent_id, ${DECISION.agentName.text()} AS agent_name, tool, outcome,
  ${DECISION.tool.json()} AS tool_info, ${DECISION.arguments.json()} AS args, ${DECISION.redactions.json()} AS redactions, ${DECISION.session.json()} AS session,
  ${DECISION.delegation.json()} AS delegation, ${DECISION.firstReasonPolicy.text()} AS first_reason, ${DECISION.approvalStatus.text()} AS approval_status,
  ${DECISION.method.text()} AS method
  FROM audit_entries WHERE kind = 'decision' AND created_at >= $1 AND created_at < $2`;

export interface ReplayOptions {
  days: number;
  /** The end of the window (default now): a page of an earlier replay gives the same window again. */
  now?: Date;
  /** Bounds: decisions read, and seconds spent (none by default: a paged replay must see the same rows). */
  maxDecisions?: number;
  maxSeconds?: number;
  /** The page of changes listed (default the first 200), of those in `filter` when given. */
  offset?: number;
  limit?: number;
  filter?: ReplayFilter;
  /** Called with every change in order (exports), whatever the page; `afterPage` after each page read (back-pressure). */
  onChange?: (item: ReplayItem) => void;
  afterPage?: () => Promise<void>;
  workers?: number;
}

export const DEFAULT_MAX_DECISIONS = 1_000_000;

export async function replayDecisions(text: string, opts: ReplayOptions): Promise<ReplayReport> {
  const t0 = performance.now();
  const p = preparePolicy(text);
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - opts.days * 86_400_000);
  const max = opts.maxDecisions ?? DEFAULT_MAX_DECISIONS;
  const deadline = opts.maxSeconds ? t0 + opts.maxSeconds * 1000 : Infinity;
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 200;
  const groups = new GroupCounter();
  const [agents, tools] = await Promise.all([loadAgents(), loadTools()]);
  const agentsById = new Map(agents.map((a) => [a.agentId, a]));
  const sessions = new SessionTracker();
  const cache = new Map<string, SimResult>();
  let distinct = 0;
  const report: ReplayReport = {
    from: from.toISOString(),
    to: to.toISOString(),
    total: 0,
    builtIn: 0,
    evaluated: 0,
    unchanged: 0,
    changed: 0,
    transitions: {},
    undeterminable: 0,
    undeterminableWhy: {},
    retainedUsed: 0,
    changes: [],
    page: { offset, limit, matched: 0, filter: opts.filter ?? null },
    groups: groups.result(),
    undeterminableSamples: [],
    truncated: false,
    stoppedBy: null,
    coveredTo: to.toISOString(),
    bounds: { maxDecisions: max, maxSeconds: opts.maxSeconds ?? null },
    distinctRequests: 0,
    durationMs: 0,
  };
  const relevant = (unknown: string) => p.usage.all || p.usage.paths.some((u) => overlaps(u, unknown));
  // Counters (rate limits, loop breaking) are not in the log: replay evaluates with zero counters. A call
  // recorded as denied by a counter policy the draft keeps would be denied or allowed depending on
  // counters the log does not hold, so it is undeterminable ("counters"), never a guessed deny→allow.
  const counterPolicies = new Set(
    [...p.byId.values()].filter((x) => contextUsage([x.text]).paths.some((u) => u === "counters" || u.startsWith("counters."))).map((x) => x.id),
  );
  counterPolicies.add("mandate.counters_unavailable");
  type Row = RecordedDecision & { chain_id: string; seq: number };
  const fetchPage = (cursor: [Date, string, number] | null) =>
    getPool()
      .query(
        `${SELECT} ${cursor ? "AND (created_at, chain_id, seq) > ($3, $4::uuid, $5)" : ""} ORDER BY created_at, chain_id, seq LIMIT ${PAGE}`,
        cursor ? [from, to, ...cursor] : [from, to],
      )
      .then((r) => r.rows as Row[]);
  const pool = await ReplayPool.open(p.cedarId, p.policies, opts.workers);
  try {
    // The next page is read while this one is evaluated (PostgreSQL and the event loop work in parallel).
    let pending: Promise<Row[]> | null = fetchPage(null);
    while (pending) {
      const rows: Row[] = await pending;
      if (!rows.length) break;
      const last = rows[rows.length - 1];
      pending = rows.length === PAGE ? fetchPage([last.created_at, last.chain_id, Number(last.seq)]) : null;
      await sessions.loadStarts(rows.map((x) => x.session_id));
      const retained = await loadReplayValues(rows.filter((x) => x.redactions?.length).map((x) => x.decision_id));

      // 1. In order: session state, the rebuilt request, and its answer when known (cache, partial
      //    evaluation) — or a place in this page's batch of distinct requests still to evaluate.
      const items: Array<{ d: Row; step: number; agent: string; baseline: Outcome; unknown: string[]; res?: SimResult; key?: string }> = [];
      const batch = new Map<string, CedarCall>();
      for (const d of rows) {
        if (report.total >= max || (report.total % 256 === 0 && performance.now() > deadline)) {
          report.truncated = true;
          report.stoppedBy = report.total >= max ? "rows" : "time";
          report.coveredTo = new Date(d.created_at).toISOString();
          break;
        }
        report.total++;
        const toolsUsed = sessions.before(d);
        sessions.record(d);
        // No step: another agent's attempt in the session, denied before policy (mandate.session_not_owned…).
        if (!d.tool_info || d.step === null || (d.first_reason && BUILT_IN_REASONS.has(d.first_reason))) {
          report.builtIn++;
          continue;
        }
        report.evaluated++;
        if (d.outcome === "deny" && d.first_reason && counterPolicies.has(d.first_reason)) {
          report.undeterminable++;
          report.undeterminableWhy.counters = (report.undeterminableWhy.counters ?? 0) + 1;
          if (report.undeterminableSamples.length < 50)
            report.undeterminableSamples.push({
              decisionId: d.decision_id,
              at: new Date(d.created_at).toISOString(),
              sessionId: d.session_id,
              step: d.step,
              agent: d.agent_name,
              tool: d.tool,
              from: "deny",
              to: "undeterminable",
              reasons: [{ policy: d.first_reason, message: "denied by a counter policy; the counters are not in the log" }],
              policy: d.first_reason,
            });
          continue;
        }
        const baseline: Outcome = d.outcome === "allow" && d.approval_status === "used" ? "require_approval" : d.outcome;
        const agent = (d.agent_id && agentsById.get(d.agent_id)) || agentNamed(d.agent_name);
        const kept = retained.get(d.decision_id);
        if (kept) report.retainedUsed++;
        const req = rebuildRequest(d, {
          agent,
          openWorld: tools.get(d.tool)?.openWorld ?? false,
          retained: kept,
          toolsUsed,
          sessionStart: sessions.start(d.session_id),
        });
        const unknown = req.unknowns.filter(relevant);
        const item: (typeof items)[number] = { d, step: d.step, agent: agent.name, baseline, unknown };
        if (unknown.length) item.res = simulatePartial(p, req.withUnknowns());
        else {
          item.key = `${agent.name}\u0000${actionId(req.call)}\u0000${JSON.stringify(d.tool_info)}\u0000${usageKey(p.usage, req.call.context)}`;
          item.res = cache.get(item.key);
          if (!item.res && !batch.has(item.key))
            batch.set(item.key, { ...req.call, context: pruneContext(p.usage, req.call.context as Record<string, unknown>) as CedarCall["context"] });
        }
        items.push(item);
      }
      // 2. The distinct requests of this page, on every core; approval gates need a second answer.
      const keys = [...batch.keys()];
      const calls = [...batch.values()];
      const firsts = await pool.evaluate(calls);
      const gatedIdx = firsts.flatMap((a, i) => (needsGrantedCheck(p, a, actionId(calls[i])) ? [i] : []));
      const grantedAnswers = await pool.evaluate(gatedIdx.map((i) => granted(calls[i])));
      const fresh = new Map<string, SimResult>();
      const grantedByIdx = new Map(gatedIdx.map((i, j) => [i, grantedAnswers[j]]));
      keys.forEach((k, i) => fresh.set(k, fromAnswers(p, firsts[i], grantedByIdx.get(i), actionId(calls[i]))));
      distinct += keys.length;
      for (const [k, v] of fresh) if (cache.size < 100_000) cache.set(k, v);
      // 3. Tally, in order.
      for (const { d, step, agent, baseline, unknown, res: known, key } of items) {
        const res = known ?? fresh.get(key!)!;
        const item = (): ReplayItem => ({
          decisionId: d.decision_id,
          at: new Date(d.created_at).toISOString(),
          sessionId: d.session_id,
          step,
          agent,
          tool: d.tool,
          from: baseline,
          to: res.decision,
          reasons: res.reasons,
          policy: res.decision === "undeterminable" ? "" : policyOfChange(res.decision, res.reasons, d.first_reason),
        });
        if (res.decision === "undeterminable") {
          report.undeterminable++;
          for (const u of unknown) report.undeterminableWhy[u] = (report.undeterminableWhy[u] ?? 0) + 1;
          if (report.undeterminableSamples.length < 50) report.undeterminableSamples.push(item());
        } else if (res.decision === baseline) report.unchanged++;
        else {
          report.changed++;
          const k = `${baseline}→${res.decision}`;
          report.transitions[k] = (report.transitions[k] ?? 0) + 1;
          const change = item();
          groups.add(change);
          opts.onChange?.(change);
          if (matches(change, opts.filter)) {
            const at = report.page.matched++;
            if (at >= offset && at < offset + limit) report.changes.push(change);
          }
        }
      }
      await opts.afterPage?.();
      if (report.truncated) {
        await pending?.catch(() => {});
        break;
      }
    }
  } finally {
    await pool.close();
  }
  report.groups = groups.result();
  report.distinctRequests = distinct;
  report.durationMs = Math.round(performance.now() - t0);
  return report;
}
