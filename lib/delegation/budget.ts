/**
 * Delegation call budgets (issue 15 §3, docs/delegation.md "Call budget"): a delegation token may carry
 * `max_calls`. Every allowed call of an item (tool, resource, prompt) made under a delegation spends one
 * call of its budget and of every budget of the delegations it came from; a call that would go over any
 * of them is denied `mandate.delegation_budget`.
 *
 * Delegations live in one session, so the calls spent are kept in the session's counters (`sessions.counters`,
 * key `d`: `{ "<delegation id>": <calls spent> }`, only for delegations with a budget). The decision commit
 * writes them under its step-count check (lib/audit/chain.ts, `mandate_commit`): a decision spends from the
 * state it saw, and one that raced with another node is re-read and re-decided, so no number of nodes
 * can spend more than the budget.
 */
import type { StoredSessionCounters } from "../counters/session-counters.ts";
import { oauthError } from "./oauth-errors.ts";

/** A delegation in a token's lineage (itself or an ancestor) that carries a budget. */
export interface DelegationBudget {
  id: string;
  maxCalls: number;
}

/** int4 in `delegations.max_calls`; far above any sensible budget. */
export const MAX_CALLS_LIMIT = 1_000_000_000;

/** The token-exchange parameter `max_calls`: absent, or a positive integer written in plain decimal digits. */
export function parseMaxCalls(v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^[1-9][0-9]{0,9}$/.test(v) || +v > MAX_CALLS_LIMIT)
    throw oauthError("invalid_request", `max_calls must be an integer from 1 to ${MAX_CALLS_LIMIT} (decimal digits only)`);
  return +v;
}

/** Calls spent under a delegation (and its descendants) in its session. */
function spentCalls(c: StoredSessionCounters | undefined, id: string): number {
  return c?.d?.[id] ?? 0;
}

/** The first budget of the lineage that has no call left, or null. */
export function exhaustedBudget(budgets: readonly DelegationBudget[] | undefined, c: StoredSessionCounters | undefined): DelegationBudget | null {
  if (!budgets) return null;
  for (const b of budgets) if (spentCalls(c, b.id) >= b.maxCalls) return b;
  return null;
}

/** The least calls left over the lineage's budgets; null when none has a budget. */
export function remainingCalls(budgets: readonly DelegationBudget[], c: StoredSessionCounters | undefined): number | null {
  let least: number | null = null;
  for (const b of budgets) {
    const left = Math.max(0, b.maxCalls - spentCalls(c, b.id));
    if (least === null || left < least) least = left;
  }
  return least;
}

/**
 * The counters an allowed call writes (`next`, from countAllowed) with the spent calls carried over from
 * `prev` and this call spent from every budget of its lineage.
 */
export function spendBudgets(
  prev: StoredSessionCounters | undefined,
  next: StoredSessionCounters,
  budgets: readonly DelegationBudget[] | undefined,
): StoredSessionCounters {
  if (!budgets?.length) {
    if (prev?.d) next.d = prev.d;
    return next;
  }
  const d = { ...prev?.d };
  for (const b of budgets) d[b.id] = (d[b.id] ?? 0) + 1;
  next.d = d;
  return next;
}
