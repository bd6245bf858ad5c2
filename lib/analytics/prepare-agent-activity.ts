/**
 * An agent's activity for its page: sessions opened, decisions and deny rate per interval of the window,
 * the tools it called (calls, denies, each linked into the audit filtered by agent and tool), and totals.
 * Pure (UTC labels), unit-tested; the page reads the facts (dashboard-queries.ts) and recharts draws.
 */
import { auditHref } from "../audit/queries-filters.ts";
import { sessionsHref } from "../sessions/queries-filters.ts";
import type { DecisionFact } from "./dashboard-queries.ts";
import { bucketLabel, type TimeWindow } from "./prepare-dashboard.ts";
import { rangeValue } from "./time-range.ts";

export interface ActivityPoint {
  t: string;
  label: string;
  sessions: number;
  decisions: number;
  denies: number;
  /** Denies per decision in the interval, in percent (null without decisions: no point is drawn). */
  denyRate: number | null;
}

export interface ToolUse {
  tool: string;
  calls: number;
  denies: number;
  approvals: number;
  href: string;
  deniesHref: string;
}

export interface AgentActivity {
  points: ActivityPoint[];
  tools: ToolUse[];
  totals: { sessions: number; decisions: number; denies: number; denyRate: number };
  links: { audit: string; denies: string; sessions: string };
}

export function prepareAgentActivity(agentId: string, facts: DecisionFact[], sessions: Array<{ bucket: string; n: number }>, w: TimeWindow): AgentActivity {
  const start = w.from.getTime();
  const n = Math.round((w.to.getTime() - start) / w.bucketMs);
  const points: ActivityPoint[] = Array.from({ length: n }, (_, i) => {
    const t = start + i * w.bucketMs;
    return { t: new Date(t).toISOString(), label: bucketLabel(t, w.bucketMs), sessions: 0, decisions: 0, denies: 0, denyRate: null };
  });
  const at = (bucket: string) => points[Math.floor((Date.parse(bucket) - start) / w.bucketMs)];
  const tools = new Map<string, { calls: number; denies: number; approvals: number }>();
  for (const f of facts) {
    if (f.agentId !== agentId) continue;
    const p = at(f.bucket);
    if (!p) continue;
    p.decisions += f.n;
    if (f.outcome === "deny") p.denies += f.n;
    const u = tools.get(f.tool) ?? { calls: 0, denies: 0, approvals: 0 };
    u.calls += f.n;
    if (f.outcome === "deny") u.denies += f.n;
    if (f.outcome === "require_approval") u.approvals += f.n;
    tools.set(f.tool, u);
  }
  for (const s of sessions) {
    const p = at(s.bucket);
    if (p) p.sessions += s.n;
  }
  for (const p of points) p.denyRate = p.decisions ? Math.round((p.denies / p.decisions) * 1000) / 10 : null;
  const time = rangeValue(w.from, w.to);
  const kind = ["decision"];
  const decisions = points.reduce((s, p) => s + p.decisions, 0);
  const denies = points.reduce((s, p) => s + p.denies, 0);
  return {
    points,
    tools: [...tools.entries()]
      .map(([tool, u]) => ({
        tool,
        ...u,
        href: auditHref({ kind, agent: agentId, tool: [tool], time }),
        deniesHref: auditHref({ kind, agent: agentId, tool: [tool], outcome: ["deny"], time }),
      }))
      .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool)),
    totals: { sessions: points.reduce((s, p) => s + p.sessions, 0), decisions, denies, denyRate: decisions ? denies / decisions : 0 },
    links: {
      audit: auditHref({ agent: agentId, time }),
      denies: auditHref({ kind, agent: agentId, outcome: ["deny"], time }),
      sessions: sessionsHref({ agent: agentId, time }),
    },
  };
}
