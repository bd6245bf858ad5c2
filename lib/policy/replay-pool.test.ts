import { afterAll, describe, expect, it } from "vitest";
import { buildMcpCall, NO_DELEGATION } from "../decisions/mcp-request.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { agentNamed } from "./directory.ts";
import { ReplayPool } from "./replay-pool.ts";
import { fromAnswers, needsGrantedCheck, granted, preparePolicy, simulate } from "./simulate.ts";

const p = preparePolicy(`${DEFAULT_MCP_POLICY}\n@id("late") forbid (principal, action, resource) when { context.time.epochSeconds > 1780000000 };`);
const tool = (effect: string, labels: string[] = []): ToolInfo => ({
  id: "",
  kind: "tool",
  server: "s",
  name: effect,
  key: `s/${effect}`,
  status: "approved",
  effect,
  risk: "medium",
  labels,
  sensitiveArgs: [],
  blocked: null,
  inputSchema: {},
  openWorld: false,
});
const calls = Array.from({ length: 1200 }, (_, i) =>
  buildMcpCall({
    action: "tools/call",
    agent: agentNamed(`a${i % 7}`),
    tool: i % 3 === 0 ? tool("destructive") : tool("write", i % 5 === 0 ? ["external_comm"] : []),
    args: { n: i },
    session: {
      id: "s",
      exists: true,
      agentId: null,
      initiator: null,
      initiatorVerified: false,
      stepCount: i,
      toolsUsed: [],
      labels: i % 4 === 0 ? ["pii", "untrusted_content"] : [],
      status: "active",
      terminatedReason: null,
      startedAt: 0,
      approvalsGranted: 0,
      observedLabels: [],
    },
    delegation: NO_DELEGATION,
    approvalGranted: false,
    now: 1_779_999_000_000 + i * 1000,
  }),
);
let pool: ReplayPool | null = null;
afterAll(() => pool?.close());

describe("ReplayPool", () => {
  it("answers exactly as evaluation on this thread, in order, from worker threads", async () => {
    pool = await ReplayPool.open(p.cedarId, p.policies, 2);
    expect(pool.size).toBe(2);
    const firsts = await pool.evaluate(calls);
    const gated = firsts.flatMap((a, i) => (needsGrantedCheck(p, a) ? [i] : []));
    const grants = await pool.evaluate(gated.map((i) => granted(calls[i])));
    const byIdx = new Map(gated.map((i, j) => [i, grants[j]]));
    const viaPool = firsts.map((a, i) => fromAnswers(p, a, byIdx.get(i)).decision);
    const inline = calls.map((c) => simulate(p, c).decision);
    expect(viaPool).toEqual(inline);
    expect(new Set(inline)).toEqual(new Set(["allow", "deny", "require_approval"]));
  }, 30_000);
});
