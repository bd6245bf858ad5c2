/**
 * `retry_after` of a deny: when a denying policy compares a windowed counter with a literal and the
 * counter is on the denied side, the seconds until enough of the calls it counts have left its window
 * for it to be back below. Several such comparisons: the longest wait (retrying earlier could be denied
 * again; later never is by these counters). 0: no windowed counter was the cause.
 */
import type { Reason } from "../api/schemas.ts";
import type { CallCounters } from "../decisions/mcp-request.ts";
import { highSideStart } from "../policy/comparisons.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { CounterUse } from "./counter-policies.ts";
import { IDENTICAL_WINDOW_MS } from "./session-counters.ts";

export function retryAfter(
  rt: Pick<Runtime, "agentCounters">,
  use: CounterUse,
  reasons: Reason[],
  counters: CallCounters,
  identicalTimes: number[],
  agentId: string,
  toolKey: string,
  now: number,
): number {
  let wait = 0;
  for (const r of reasons) {
    for (const { counter, cmp } of use.byPolicy.get(r.policy) ?? []) {
      const start = highSideStart(cmp);
      if (start === null) continue;
      const target = start - 1;
      if (counter === "session.identicalCalls") {
        const c = counters.session.identicalCalls;
        if (c <= target) continue;
        // The (c - target) oldest calls must leave the 60 s window.
        const leaves = identicalTimes[c - target - 1] + IDENTICAL_WINDOW_MS;
        wait = Math.max(wait, Math.max(1, Math.ceil((leaves - now) / 1000)));
      } else if (counter.startsWith("agent.")) {
        const which = counter.slice(6) as keyof CallCounters["agent"];
        if (counters.agent[which] <= target) continue;
        wait = Math.max(wait, rt.agentCounters.retryAfter(agentId, toolKey, which, target, now));
      }
    }
  }
  return wait;
}
