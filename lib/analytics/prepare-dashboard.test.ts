import { describe, expect, it } from "vitest";
import { dashboardWindow, formatDuration, prepareApprovalAges, prepareDecisionsOverTime, prepareRiskMix, prepareTopDenied } from "./prepare-dashboard.ts";
import type { DecisionFact } from "./dashboard-queries.ts";

const NOW = Date.parse("2026-11-25T10:20:00.000Z");
const w = dashboardWindow("24h", NOW);
const f = (hour: string, outcome: string, tool: string, agentId: string, n: number): DecisionFact => ({
  bucket: `2026-11-25T${hour}:00:00.000Z`,
  outcome,
  tool,
  agentId,
  n,
});
const facts = [
  f("09", "allow", "crm/get_customer", "a1", 10),
  f("09", "deny", "mail/send_email", "a1", 3),
  f("10", "deny", "mail/send_email", "a2", 2),
  f("10", "deny", "crm/export_customers", "a2", 5),
  f("10", "require_approval", "files/delete_file", "a2", 1),
];

describe("dashboardWindow", () => {
  it("ends at the next whole bucket and spans the range", () => {
    expect(w.to.toISOString()).toBe("2026-11-25T11:00:00.000Z");
    expect(w.from.toISOString()).toBe("2026-11-24T11:00:00.000Z");
    expect(dashboardWindow("nonsense", NOW).range).toBe("24h");
    expect(dashboardWindow("7d", NOW).bucketMs).toBe(6 * 3_600_000);
  });
});

describe("prepareDecisionsOverTime", () => {
  const d = prepareDecisionsOverTime(facts, w);
  it("has one zero-filled point per bucket with outcome counts", () => {
    expect(d.points).toHaveLength(24);
    const p9 = d.points.find((p) => p.t === "2026-11-25T09:00:00.000Z")!;
    expect(p9).toMatchObject({ label: "09:00", allow: 10, deny: 3, require_approval: 0, total: 13 });
    expect(d.points[0].total).toBe(0);
    expect(d.total).toBe(21);
    expect(d.denyRate).toBeCloseTo(10 / 21);
    expect(d.series.map((s) => [s.key, s.total])).toEqual([
      ["allow", 10],
      ["deny", 10],
      ["require_approval", 1],
    ]);
  });
  it("drills into the audit explorer for exactly that bucket and outcome", () => {
    const p9 = d.points.find((p) => p.t === "2026-11-25T09:00:00.000Z")!;
    const u = new URL(p9.hrefs.deny, "http://x");
    expect(u.pathname).toBe("/audit");
    expect(u.searchParams.get("kind")).toBe("decision");
    expect(u.searchParams.get("outcome")).toBe("deny");
    expect(u.searchParams.get("time")).toBe("2026-11-25T09:00:00.000Z~2026-11-25T10:00:00.000Z");
  });
});

describe("prepareTopDenied", () => {
  it("ranks tools by denies with their share and a filtered link", () => {
    const bars = prepareTopDenied(facts, "tool", w);
    expect(bars.map((b) => [b.key, b.count])).toEqual(
      [
        ["crm/export_customers", 5],
        ["mail/send_email", 5],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(bars[0].share).toBeCloseTo(0.5);
    expect(new URL(bars[0].href, "http://x").searchParams.get("tool")).toBe(bars[0].key);
  });
  it("names agents and links by agent id", () => {
    const bars = prepareTopDenied(facts, "agent", w, new Map([["a2", "ops-agent"]]));
    expect(bars[0]).toMatchObject({ key: "a2", label: "ops-agent", count: 7 });
    expect(bars[1]).toMatchObject({ key: "a1", label: "a1", count: 3 });
    expect(new URL(bars[0].href, "http://x").searchParams.get("agent")).toBe("a2");
  });
});

describe("prepareRiskMix", () => {
  it("groups calls by the called tool's approved risk, unapproved as unclassified, in risk order", () => {
    const mix = prepareRiskMix(
      facts,
      [
        { key: "crm/get_customer", risk: "medium", status: "approved" },
        { key: "mail/send_email", risk: "medium", status: "approved" },
        { key: "files/delete_file", risk: "high", status: "approved" },
        { key: "crm/export_customers", risk: null, status: "pending" },
      ],
      w,
    );
    expect(mix.map((s) => [s.risk, s.count])).toEqual([
      ["medium", 15],
      ["high", 1],
      ["unclassified", 5],
    ]);
    expect(mix[0].tools).toEqual(["crm/get_customer", "mail/send_email"]);
    expect(new URL(mix[0].href, "http://x").searchParams.get("tool")).toBe("crm/get_customer,mail/send_email");
    expect(mix.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1);
  });
});

describe("prepareApprovalAges", () => {
  it("buckets pending approvals by age and finds the oldest and the next expiry", () => {
    const a = prepareApprovalAges(
      [
        { id: "1", createdAt: new Date(NOW - 30_000).toISOString(), expiresAt: new Date(NOW + 870_000).toISOString() },
        { id: "2", createdAt: new Date(NOW - 4 * 60_000).toISOString(), expiresAt: new Date(NOW + 660_000).toISOString() },
        { id: "3", createdAt: new Date(NOW - 12 * 60_000).toISOString(), expiresAt: new Date(NOW + 180_000).toISOString() },
      ],
      NOW,
    );
    expect(a.count).toBe(3);
    expect(a.buckets.map((b) => b.count)).toEqual([1, 1, 0, 1]);
    expect(a.oldestMs).toBe(12 * 60_000);
    expect(a.soonestExpiryMs).toBe(180_000);
  });
  it("is empty without approvals", () => {
    expect(prepareApprovalAges([], NOW)).toMatchObject({ count: 0, oldestMs: 0, soonestExpiryMs: null });
  });
});

it("formats durations", () => {
  expect([formatDuration(45_000), formatDuration(180_000), formatDuration(7_500_000), formatDuration(7_200_000)]).toEqual([
    "45 s",
    "3 min",
    "2 h 5 min",
    "2 h",
  ]);
});
