import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { analyzeReads, cacheKey } from "./decision-cache.ts";
import { CedarEvaluator } from "./evaluator.ts";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { parsePolicySet, toStaticPolicies } from "./policy-set.ts";

const RICH = `
@id("scoped") permit (principal in Team::"ops", action == Action::"tools/call", resource) when { resource.effect == "write" };
@id("args") forbid (principal, action, resource) when { context.args has path && context.args.path like "/etc/*" };
@id("night") forbid (principal, action, resource) when { context.time.hourUtc < 6 && resource.riskLevel >= 2 };
@id("ifte") permit (principal, action, resource) when { if context.session.steps > 3 then resource.labels.isEmpty() else resource.name == "read_file" };
@id("rec") forbid (principal, action, resource) when { context.delegation == {present: true, depth: 2} };
@id("eq") permit (principal == Agent::"boss", action, resource);
`;

const agents = ["bot", "boss", "ops-bot"];
const arbCall = fc.record({
  agent: fc.constantFrom(...agents),
  team: fc.constantFrom("ops", "support", ""),
  action: fc.constantFrom("tools/call", "tools/list"),
  name: fc.constantFrom("read_file", "write_file", "send"),
  effect: fc.constantFrom("read", "write", "destructive"),
  riskLevel: fc.integer({ min: 0, max: 3 }),
  labels: fc.subarray(["pii", "untrusted_content", "external_comm"]),
  sessionLabels: fc.subarray(["pii", "untrusted_content"]),
  steps: fc.integer({ min: 0, max: 6 }),
  path: fc.option(fc.constantFrom("/etc/passwd", "/home/a", "x"), { nil: undefined }),
  hour: fc.integer({ min: 0, max: 23 }),
  depth: fc.integer({ min: 0, max: 4 }),
  present: fc.boolean(),
  granted: fc.boolean(),
});

type CallInput = typeof arbCall extends fc.Arbitrary<infer T> ? T : never;

function toCall(c: CallInput) {
  return {
    principal: { type: "Agent", id: c.agent },
    action: { type: "Action", id: c.action },
    resource: { type: "Tool", id: `files/${c.name}` },
    context: {
      args: c.path === undefined ? {} : { path: c.path },
      session: { labels: c.sessionLabels, steps: c.steps },
      delegation: { present: c.present, depth: c.depth },
      approval: { granted: c.granted },
      time: { hourUtc: c.hour, epochSeconds: 1_700_000_000 + c.hour },
    },
    entities: [
      { uid: { type: "Agent", id: c.agent }, attrs: { name: c.agent }, parents: c.team ? [{ type: "Team", id: c.team }] : [] },
      {
        uid: { type: "Tool", id: `files/${c.name}` },
        attrs: { name: c.name, status: "approved", effect: c.effect, riskLevel: c.riskLevel, labels: c.labels },
        parents: [{ type: "Server", id: "files" }],
      },
    ],
  } as never;
}

describe("decision cache", () => {
  it("finds what the default policy reads (and not the time)", () => {
    const p = parsePolicySet(DEFAULT_MCP_POLICY);
    const reads = analyzeReads(p.policies.map((x) => x.text))!;
    const keys = reads.paths.map((r) => [r.root, ...r.path].join("."));
    expect(keys).toEqual(
      expect.arrayContaining([
        "resource.status",
        "resource.riskLevel",
        "resource.effect",
        "resource.labels",
        "context.approval.granted",
        "context.session.labels",
        "context.delegation.depth",
      ]),
    );
    expect(keys.some((k) => k.startsWith("context.time"))).toBe(false);
  });

  it("gives the same answer as Cedar for random requests, across two policy sets", async () => {
    const ev = new CedarEvaluator(0);
    for (const [id, text] of [
      ["default", DEFAULT_MCP_POLICY],
      ["rich", RICH],
    ] as const) {
      const p = parsePolicySet(text);
      expect(p.ok).toBe(true);
      await ev.prepare(id, toStaticPolicies(p.policies));
    }
    await fc.assert(
      fc.asyncProperty(arbCall, fc.constantFrom("default", "rich"), async (c, id) => {
        const call = toCall(c);
        const cached = await ev.evaluate(id, call);
        const again = await ev.evaluate(id, call);
        const direct = cedar.statefulIsAuthorized({ ...(call as object), preparsedPolicySetId: id } as never);
        const norm = (a: typeof direct) =>
          a.type === "success"
            ? { d: a.response.decision, r: [...a.response.diagnostics.reason].sort(), e: a.response.diagnostics.errors.map((x) => x.policyId).sort() }
            : a.type;
        expect(norm(cached)).toEqual(norm(direct));
        expect(norm(again)).toEqual(norm(direct));
      }),
      // 500 random requests, three Cedar evaluations each: ~0.7 s of CPU on an idle core here.
      { numRuns: 500 },
    );
    expect(ev.cacheStats().hits).toBeGreaterThan(250);
    // Pure CPU work, nothing waited for: the limit only catches a hang. The default 5 s was exceeded
    // on a machine whose cores were busy with other work (6.4 s for 1,000 requests).
  }, 60_000);

  it("does not cache requests whose read values reference other entities", () => {
    const reads = analyzeReads([`permit(principal, action, resource) when { resource.owner.team == "x" };`])!;
    const call = {
      principal: { type: "A", id: "a" },
      action: { type: "Action", id: "x" },
      resource: { type: "R", id: "r" },
      context: {},
      entities: [{ uid: { type: "R", id: "r" }, attrs: { owner: { __entity: { type: "U", id: "u" } } }, parents: [] }],
    } as never;
    expect(cacheKey(reads, call)).toBeNull();
  });
});

describe("decision cache: counters keyed on the sides of their thresholds", () => {
  const LIMITS = `
@id("all") permit (principal, action, resource);
@id("loop") forbid (principal, action == Action::"tools/call", resource) when { context.counters.session.identicalCalls >= 10 };
@id("rate") forbid (principal, action, resource) when { context.counters.agent.minute >= 600 || 5 < context.counters.agent.toolMinute };
@id("failing") forbid (principal, action, resource) when { context.counters.session.consecutiveFailures >= 3 };
`;
  const call = (identicalCalls: number, minute: number, toolMinute = 0, consecutiveFailures = 0) =>
    ({
      principal: { type: "Agent", id: "a" },
      action: { type: "Action", id: "tools/call" },
      resource: { type: "Tool", id: "crm/get_customer" },
      context: { counters: { session: { toolCalls: 0, identicalCalls, consecutiveFailures }, agent: { minute, hour: minute, toolMinute } } },
      entities: [],
    }) as never;

  it("keys every value on one side of every comparison alike, and the two sides apart", () => {
    const reads = analyzeReads(parsePolicySet(LIMITS).policies.map((p) => p.text))!;
    const key = (i: number, m: number, t = 0) => cacheKey(reads, call(i, m, t));
    expect(key(0, 0)).toBe(key(9, 599, 5));
    expect(key(10, 0)).toBe(key(31, 0));
    expect(key(10, 0)).not.toBe(key(9, 0));
    expect(key(0, 600)).not.toBe(key(0, 599));
    expect(key(0, 0, 6)).not.toBe(key(0, 0, 5));
    expect(cacheKey(reads, call(0, 0, 0, 2))).toBe(cacheKey(reads, call(0, 0, 0, 0)));
    expect(cacheKey(reads, call(0, 0, 0, 3))).toBe(cacheKey(reads, call(0, 0, 0, 9)));
    expect(cacheKey(reads, call(0, 0, 0, 3))).not.toBe(cacheKey(reads, call(0, 0, 0, 2)));
    // The hour is not read: not in the key.
    expect(JSON.stringify(reads.paths)).not.toContain("hour");
  });

  it("never returns a stale answer across a threshold (counters rising and falling through the cache)", async () => {
    const ev = new CedarEvaluator(0);
    await ev.prepare("limits", toStaticPolicies(parsePolicySet(LIMITS).policies));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 590, max: 610 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 6 })),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        async (seq) => {
          for (const [i, m, t, f] of seq) {
            const c = call(i, m, t, f);
            const cached = await ev.evaluate("limits", c);
            const direct = cedar.statefulIsAuthorized({ ...(c as object), preparsedPolicySetId: "limits" } as never);
            expect(cached.type === "success" && cached.response.decision).toBe(direct.type === "success" && direct.response.decision);
            expect(cached.type === "success" && cached.response.decision).toBe(i >= 10 || m >= 600 || t > 5 || f >= 3 ? "deny" : "allow");
          }
        },
      ),
      { numRuns: 100 },
    );
    // At most 2 × 2 × 2 × 2 keys for the whole range of values.
    expect(ev.cacheStats().misses).toBeLessThanOrEqual(16);
  });
});
