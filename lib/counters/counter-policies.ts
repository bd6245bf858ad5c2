/**
 * What a policy version does with `context.counters`: which policies compare which counter with which
 * literal (to compute retry_after when they deny), and whether any reads the per-agent counters (which
 * then fail closed when they cannot be kept in step with the other processes). Analysed once per version.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { literalComparison, pathOf, type LiteralComparison } from "../policy/comparisons.ts";
import type { LoadedPolicy } from "../policy/policy-cache.ts";

export type CounterName = "session.toolCalls" | "session.identicalCalls" | "session.consecutiveFailures" | "agent.minute" | "agent.hour" | "agent.toolMinute";

export interface CounterUse {
  /** Policy id → its comparisons of a counter with a literal. */
  byPolicy: Map<string, Array<{ counter: CounterName; cmp: LiteralComparison }>>;
  readsAgentCounters: boolean;
  /** Reads `context.counters.session.consecutiveFailures`: the commit then checks the count the decision saw. */
  readsFailures: boolean;
}

const NAMES = new Set<string>(["session.toolCalls", "session.identicalCalls", "session.consecutiveFailures", "agent.minute", "agent.hour", "agent.toolMinute"]);
const cache = new WeakMap<LoadedPolicy, CounterUse>();

function walk(e: unknown, found: Array<{ counter: CounterName; cmp: LiteralComparison }>, reads: { agent: boolean; failures: boolean }): void {
  if (!e || typeof e !== "object") return;
  if (Array.isArray(e)) return e.forEach((x) => walk(x, found, reads));
  const cmp = literalComparison(e);
  if (cmp && cmp.root === "context" && cmp.path[0] === "counters") {
    const name = cmp.path.slice(1).join(".");
    if (NAMES.has(name)) found.push({ counter: name as CounterName, cmp });
    if (cmp.path[1] === "agent") reads.agent = true;
    if (name === "session.consecutiveFailures") reads.failures = true;
    return;
  }
  const p = pathOf(e);
  if (p) {
    // `context` whole, `context.counters` or `context.counters.agent…`: reads the per-agent counters.
    if (p.root === "context" && (p.path.length === 0 || (p.path[0] === "counters" && (p.path.length === 1 || p.path[1] === "agent")))) reads.agent = true;
    // `context`, `context.counters`, `context.counters.session` or the counter itself.
    const f = ["counters", "session", "consecutiveFailures"];
    if (p.root === "context" && p.path.length <= 3 && p.path.every((x, i) => x === f[i])) reads.failures = true;
    return;
  }
  Object.values(e).forEach((x) => walk(x, found, reads));
}

export function counterUse(policy: LoadedPolicy): CounterUse {
  const hit = cache.get(policy);
  if (hit) return hit;
  const use: CounterUse = { byPolicy: new Map(), readsAgentCounters: false, readsFailures: false };
  const reads = { agent: false, failures: false };
  for (const part of policy.policies) {
    if (!part.text.includes("context")) continue;
    const j = cedar.policyToJson(part.text);
    if (j.type !== "success") {
      reads.agent = reads.failures = true; // cannot tell: assume it does
      continue;
    }
    const found: Array<{ counter: CounterName; cmp: LiteralComparison }> = [];
    walk(j.json.conditions, found, reads);
    if (found.length) use.byPolicy.set(part.id, found);
  }
  use.readsAgentCounters = reads.agent;
  use.readsFailures = reads.failures;
  cache.set(policy, use);
  return use;
}
