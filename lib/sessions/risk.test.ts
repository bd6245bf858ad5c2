import { describe, expect, it } from "vitest";
import { explainRisk, riskDecay, riskParts, riskScore, type RiskInputs } from "./risk.ts";

const none: RiskInputs = { steps: 0, denies: 0, approvals: 0, labels: [], riskyTools: 0, delegationDepth: 0 };
const HOUR = 3_600_000;

describe("session risk score", () => {
  it("is the worked example of docs/analyst.md", () => {
    // 8 steps, 2 denied, 1 approval asked, read pii and untrusted content, called files/delete_file, delegated 2 hops deep; idle 12 h.
    const p = riskParts({ steps: 8, denies: 2, approvals: 1, labels: ["pii", "untrusted_content"], riskyTools: 1, delegationDepth: 2 });
    expect(p).toEqual({ denies: 6, denyRate: 5, approvals: 4, labels: 16, tools: 6, delegation: 8, base: 45 });
    const now = Date.parse("2026-12-07T12:00:00Z");
    expect(riskScore(p.base, "2026-12-07T00:00:00Z", now)).toBe(32); // 45 × 0.5^(12/24) = 31.8
    expect(riskScore(p.base, "2026-12-07T12:00:00Z", now)).toBe(45);
    expect(riskScore(p.base, "2026-12-06T12:00:00Z", now)).toBe(23); // one half-life: 22.5
    expect(explainRisk(p, 32)).toBe(
      "Risk 32 of base 45 (denies 6 + deny rate 5 + approvals 4 + label combination 16 + risky tools 6 + delegation depth 8), halving every 24 h without activity",
    );
  });

  it("is 0 for a clean session, whatever its age", () => {
    expect(riskParts({ ...none, steps: 500, labels: ["pii"] }).base).toBe(0);
    expect(riskScore(0, 0, Date.now())).toBe(0);
    expect(explainRisk(riskParts(none), 0)).toMatch(/^Risk 0: no denies/);
  });

  it("takes the worst dangerous label combination, not their sum", () => {
    const labels = (l: string[]) => riskParts({ ...none, labels: l }).labels;
    expect(labels(["pii", "untrusted_content", "external_comm"])).toBe(24);
    expect(labels(["pii", "untrusted_content"])).toBe(16);
    expect(labels(["secrets", "external_comm", "pii"])).toBe(20);
    expect(labels(["pii", "external_comm"])).toBe(12);
    expect(labels(["untrusted_content", "external_comm"])).toBe(0);
    expect(labels(["pii"])).toBe(0);
  });

  it("caps each part and the total at 100", () => {
    const p = riskParts({
      steps: 40,
      denies: 40,
      approvals: 30,
      labels: ["pii", "untrusted_content", "external_comm"],
      riskyTools: 9,
      delegationDepth: 7,
    });
    expect(p).toMatchObject({ denies: 24, denyRate: 20, approvals: 12, labels: 24, tools: 12, delegation: 12 });
    expect(p.base).toBe(100);
  });

  it("deny rate counts denies per step, rounded to hundredths, and never divides by zero", () => {
    expect(riskParts({ ...none, steps: 3, denies: 1 }).denyRate).toBe(6.67);
    expect(riskParts({ ...none, steps: 0, denies: 2 }).denyRate).toBe(0);
    expect(riskParts({ ...none, steps: 1, denies: 5 }).denyRate).toBe(20);
  });

  it("halves every 24 hours without activity and never grows for a future timestamp", () => {
    const now = 1_800_000_000_000;
    expect(riskDecay(now - 24 * HOUR, now)).toBeCloseTo(0.5, 10);
    expect(riskDecay(now - 72 * HOUR, now)).toBeCloseTo(0.125, 10);
    expect(riskDecay(now + HOUR, now)).toBe(1);
    // A maximal session idle for 7 days is below 1 point: the "Needs me now" horizon.
    expect(riskScore(100, now - 7 * 24 * HOUR, now)).toBe(1);
    expect(100 * riskDecay(now - 7 * 24 * HOUR, now)).toBeLessThan(1);
  });

  it("lets a fresh small risk outrank a stale large one, and the order does not change as time passes", () => {
    const now = 1_800_000_000_000;
    const ratio = (t: number) => (20 * riskDecay(now - HOUR, t)) / (60 * riskDecay(now - 48 * HOUR, t));
    expect(riskScore(20, now - HOUR, now)).toBe(19);
    expect(riskScore(60, now - 48 * HOUR, now)).toBe(15);
    expect(ratio(now + 100 * HOUR)).toBeCloseTo(ratio(now), 10);
  });
});
