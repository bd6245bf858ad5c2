/**
 * Policy test cases, stored with each policy version (policy_versions.tests) and run in the console and
 * by `mandate policy test` (exit non-zero on failure, for CI pipelines that keep policies in git).
 * A case is a tool call — agent, tool, arguments, session state, delegation — and the expected outcome.
 * Agents and tools come from the inventory unless the case gives their attributes.
 */
import { z } from "zod";
import { buildMcpCall, NO_DELEGATION } from "../decisions/mcp-request.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import type { Reason } from "./interpret.ts";
import { preparePolicy, simulate, type Outcome } from "./simulate.ts";
import { agentNamed } from "./directory.ts";

export const policyTestCase = z
  .object({
    name: z.string().min(1).max(200),
    agent: z.union([
      z.string().min(1),
      z.object({ name: z.string().min(1), team: z.string().nullish(), owner: z.string().nullish(), environment: z.string().nullish() }).strict(),
    ]),
    tool: z.string().regex(/^[^/]+\/.+$/, "server/tool"),
    /** Overrides the inventory's approved classification (or describes a tool the inventory lacks). */
    tool_attributes: z
      .object({
        status: z.enum(["pending", "approved", "rejected"]).optional(),
        effect: z.string().optional(),
        risk: z.string().optional(),
        labels: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    action: z.enum(["tools/call", "tools/list"]).default("tools/call"),
    arguments: z.record(z.string(), z.unknown()).default({}),
    session: z
      .object({
        labels: z.array(z.string()).default([]),
        tools_used: z.array(z.string()).default([]),
        steps: z.number().int().min(0).default(0),
        initiator: z.string().optional(),
        age_seconds: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ labels: [], tools_used: [], steps: 0, age_seconds: 0 }),
    delegation: z
      .object({ chain: z.array(z.string()).min(1), on_behalf_of: z.string().optional(), scopes: z.array(z.string()).default([]) })
      .strict()
      .optional(),
    time: z.string().datetime().optional(),
    expect: z.enum(["allow", "deny", "require_approval"]),
  })
  .strict();
export const policyTestSuite = z.array(policyTestCase).max(500);
export type PolicyTestCase = z.infer<typeof policyTestCase>;

export interface PolicyTestResult {
  name: string;
  expect: Outcome;
  actual: Outcome | "error";
  pass: boolean;
  reasons: Reason[];
}

export interface TestEnvironment {
  tools: Map<string, ToolInfo>;
  agents: Map<string, AgentPrincipal>;
}

function toolFor(c: PolicyTestCase, env: TestEnvironment): ToolInfo | null {
  const known = env.tools.get(c.tool);
  const a = c.tool_attributes;
  if (!known && !a) return null;
  const [server, ...rest] = c.tool.split("/");
  const base: ToolInfo = known ?? {
    id: "",
    kind: "tool",
    server,
    name: rest.join("/"),
    key: c.tool,
    status: "approved",
    effect: null,
    risk: null,
    labels: [],
    sensitiveArgs: [],
    blocked: null,
    inputSchema: {},
    openWorld: false,
  };
  return {
    ...base,
    status: a?.status ?? (known ? base.status : "approved"),
    effect: a?.effect ?? base.effect,
    risk: a?.risk ?? base.risk,
    labels: a?.labels ?? base.labels,
  };
}

export function runPolicyTests(text: string, cases: PolicyTestCase[], env: TestEnvironment): PolicyTestResult[] {
  const p = preparePolicy(text);
  return cases.map((c) => {
    const out = (actual: PolicyTestResult["actual"], reasons: Reason[]) => ({ name: c.name, expect: c.expect, actual, pass: actual === c.expect, reasons });
    const tool = toolFor(c, env);
    if (!tool) return out("error", [{ policy: "mandate.tool_unknown", message: `tool ${c.tool} is not in the inventory: add tool_attributes to the case` }]);
    if (tool.status !== "approved")
      return out("deny", [{ policy: "mandate.tool_not_approved", message: `tool ${c.tool} is ${tool.status} (denied before policy)` }]);
    const a = typeof c.agent === "string" ? { name: c.agent } : c.agent;
    const known = env.agents.get(a.name);
    const agent = agentNamed(a.name, {
      team: a.team ?? known?.team ?? null,
      owner: a.owner ?? known?.owner ?? null,
      environment: a.environment ?? known?.environment ?? null,
    });
    const now = c.time ? Date.parse(c.time) : Date.now();
    const call = buildMcpCall({
      action: c.action,
      agent,
      tool,
      args: c.arguments,
      session: {
        id: "policy-test",
        exists: true,
        agentId: null,
        initiator: c.session.initiator ?? null,
        initiatorVerified: false,
        stepCount: c.session.steps,
        toolsUsed: c.session.tools_used,
        labels: c.session.labels,
        status: "active",
        terminatedReason: null,
        startedAt: now - c.session.age_seconds * 1000,
        approvalsGranted: 0,
        observedLabels: [],
      },
      delegation: c.delegation
        ? {
            present: true,
            depth: c.delegation.chain.length,
            chain: c.delegation.chain.map((name) => ({ agent_id: "", name })),
            onBehalfOf: c.delegation.on_behalf_of ?? null,
            scopes: c.delegation.scopes,
            tokenId: null,
          }
        : NO_DELEGATION,
      approvalGranted: false,
      now,
    });
    const r = simulate(p, call);
    return out(r.decision as Outcome, r.reasons);
  });
}

export function formatTestResults(results: PolicyTestResult[]): string {
  const lines = results.map(
    (r) => `${r.pass ? "PASS" : "FAIL"}  ${r.name}: expected ${r.expect}, got ${r.actual}${r.pass ? "" : ` (${r.reasons.map((x) => x.policy).join(", ")})`}`,
  );
  const failed = results.filter((r) => !r.pass).length;
  return [...lines, `${results.length - failed} passed, ${failed} failed`].join("\n");
}
