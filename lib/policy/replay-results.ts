/**
 * What a what-if replay reports of its changes beyond the counts: the changes grouped by agent, tool,
 * policy and direction (counted over every change, not only the page shown), one page of the changes
 * that match a group, and the lines of an export (CSV or NDJSON) of every change.
 *
 * A change's policy is the one responsible for it: for a change to allow, the recorded policy that no
 * longer decides the call; otherwise the draft's policy that now decides it.
 */
import { csvCell } from "../audit/export.ts";
import type { Reason } from "./interpret.ts";
import type { Outcome } from "./simulate.ts";
import type { RecordedDecisionRef } from "./recorded-decision.ts";

export const GROUP_BY = ["agent", "tool", "policy", "direction"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface ReplayItem extends RecordedDecisionRef {
  from: Outcome;
  to: Outcome | "undeterminable";
  reasons: Reason[];
  /** The policy responsible for the change (see above); "" when none is known. */
  policy: string;
}

export interface ReplayGroup {
  value: string;
  count: number;
}

/** The largest number of groups listed per dimension (the rest are counted in `more`). */
export const MAX_GROUPS = 200;

export type ReplayGroups = Record<GroupBy, { groups: ReplayGroup[]; more: number }>;

export interface ReplayFilter {
  by: GroupBy;
  value: string;
}

export const directionOf = (i: Pick<ReplayItem, "from" | "to">) => `${i.from}→${i.to}`;

export function groupValue(i: ReplayItem, by: GroupBy): string {
  return by === "direction" ? directionOf(i) : i[by];
}

export function policyOfChange(to: Outcome, draft: Reason[], recorded: string | null): string {
  return (to === "allow" ? recorded : draft[0]?.policy) ?? draft[0]?.policy ?? "";
}

/** Counts changes per value of each dimension. */
export class GroupCounter {
  private counts: Record<GroupBy, Map<string, number>> = { agent: new Map(), tool: new Map(), policy: new Map(), direction: new Map() };

  add(i: ReplayItem): void {
    for (const by of GROUP_BY) {
      const v = groupValue(i, by);
      this.counts[by].set(v, (this.counts[by].get(v) ?? 0) + 1);
    }
  }

  result(): ReplayGroups {
    const out = {} as ReplayGroups;
    for (const by of GROUP_BY) {
      const all = [...this.counts[by]].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
      out[by] = { groups: all.slice(0, MAX_GROUPS), more: Math.max(0, all.length - MAX_GROUPS) };
    }
    return out;
  }
}

export const matches = (i: ReplayItem, f: ReplayFilter | undefined) => !f || groupValue(i, f.by) === f.value;

export const EXPORT_COLUMNS = ["decision_id", "at", "session_id", "step", "agent", "tool", "from", "to", "policy", "reasons"] as const;

export function exportCsvHeader(): string {
  return EXPORT_COLUMNS.join(",") + "\r\n";
}

export function exportCsvLine(i: ReplayItem): string {
  const reasons = i.reasons.map((r) => `${r.policy}: ${r.message}`).join("; ");
  return [i.decisionId, i.at, i.sessionId, i.step, i.agent, i.tool, i.from, i.to, i.policy, reasons].map(csvCell).join(",") + "\r\n";
}

export function exportNdjsonLine(i: ReplayItem): string {
  return (
    JSON.stringify({
      decision_id: i.decisionId,
      at: i.at,
      session_id: i.sessionId,
      step: i.step,
      agent: i.agent,
      tool: i.tool,
      from: i.from,
      to: i.to,
      policy: i.policy,
      reasons: i.reasons,
    }) + "\n"
  );
}
