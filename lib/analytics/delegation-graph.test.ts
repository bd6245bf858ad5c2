import { describe, expect, it } from "vitest";
import { buildDelegationGraph } from "./delegation-graph.ts";
import type { DelegationRow } from "../sessions/queries-timeline.ts";

const NOW = Date.parse("2026-11-25T10:00:00.000Z");
const del = (over: Partial<DelegationRow>): DelegationRow => ({
  id: "d1",
  parentId: null,
  subject: "alice@example.com",
  agentId: "a1",
  agentName: "support-assistant",
  chain: [],
  depth: 1,
  scopes: ["tool:crm/*"],
  audience: null,
  expiresAt: "2026-11-25T11:00:00.000Z",
  revokedAt: null,
  createdAt: "",
  createdBy: "user:alice@example.com",
  maxCalls: null,
  callsUsed: null,
  ...over,
});

describe("delegation graph", () => {
  it("draws human → agent → sub-agent with scopes and expiry, and call edges per outcome", () => {
    const g = buildDelegationGraph({
      initiator: "alice@example.com",
      ownerId: "a1",
      ownerName: "support-assistant",
      now: NOW,
      delegations: [
        del({}),
        del({
          id: "d2",
          parentId: "d1",
          agentId: "a2",
          agentName: "research-subagent",
          depth: 2,
          scopes: ["tool:web/fetch_url"],
          expiresAt: "2026-11-25T09:00:00.000Z",
          maxCalls: 5,
          callsUsed: 7,
        }),
      ],
      calls: [
        { agentId: "a1", agent: "support-assistant", tool: "crm/get_customer", outcome: "allow", count: 3, firstStep: 1, lastStep: 5 },
        { agentId: "a2", agent: "research-subagent", tool: "web/fetch_url", outcome: "allow", count: 2, firstStep: 2, lastStep: 4 },
        { agentId: "a1", agent: "support-assistant", tool: "mail/send_email", outcome: "deny", count: 1, firstStep: 6, lastStep: 6 },
      ],
    });
    expect(g.nodes.map((n) => n.id)).toEqual([
      "human:alice@example.com",
      "agent:a1",
      "agent:a2",
      "tool:crm/get_customer",
      "tool:web/fetch_url",
      "tool:mail/send_email",
    ]);
    expect(g.edges.filter((e) => e.kind === "delegation").map((e) => [e.source, e.target])).toEqual([
      ["human:alice@example.com", "agent:a1"],
      ["agent:a1", "agent:a2"],
    ]);
    const sub = g.nodes.find((n) => n.id === "agent:a2")!;
    expect(sub.details).toEqual(["scopes tool:web/fetch_url", "expired 2026-11-25 09:00 UTC", "budget 0/5 calls left"]);
    expect(g.nodes.find((n) => n.id === "agent:a1")!.details).toEqual(["scopes tool:crm/*", "expires 2026-11-25 11:00 UTC"]);
    expect(sub.warning).toBe(true);
    // Expired is grey, not the red of a deny.
    const lapsed = g.edges.find((e) => e.kind === "delegation" && e.target === "agent:a2")!;
    expect(lapsed).toMatchObject({ label: "delegates (depth 2), expired", color: "var(--color-slate-500)" });
    expect(g.edges.find((e) => e.kind === "delegation" && e.target === "agent:a1")!.color).toBe("var(--color-indigo-700)");
    const deny = g.edges.find((e) => e.id.endsWith("mail/send_email:deny"))!;
    expect(deny).toMatchObject({
      label: "1 denied",
      color: "var(--color-red-700)",
      steps: { agentId: "a1", agent: "support-assistant", tool: "mail/send_email", outcome: "deny", count: 1 },
    });
    expect(g.nodes.find((n) => n.id === "tool:crm/get_customer")!.details).toEqual(["3 calls"]);
  });

  it("shows a session without delegation as opened by the agent with its own key", () => {
    const g = buildDelegationGraph({ initiator: null, ownerId: "a1", ownerName: "ops-agent", now: NOW, delegations: [], calls: [] });
    expect(g.edges).toEqual([expect.objectContaining({ kind: "opened", source: "human:unknown", target: "agent:a1" })]);
    expect(g.nodes[1].details).toEqual(["own API key"]);
  });
});
