import fc from "fast-check";
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseListenAddress } from "../env.ts";
import { observeDecision, reasonClass, registry } from "./metrics.ts";

// The decision counter and histogram are kept in plain numbers and handed to prom-client when scraped:
// the exposition must be what prom-client's own counter and histogram give when fed the same decisions.
describe("decision metrics kept in plain numbers", () => {
  it("expose the same series as prom-client's counter and histogram fed the same decisions", async () => {
    const ref = new Registry();
    const counter = new Counter({ name: "mandate_decisions_total", help: "h", labelNames: ["outcome", "reason_class"] as const, registers: [ref] });
    const buckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    const hist = new Histogram({ name: "mandate_decision_duration_seconds", help: "h", buckets, registers: [ref] });
    const series = async (r: Registry, name: string) => {
      const m = (await r.getMetricsAsJSON()).find((x) => x.name === name)!;
      return m.values.map((v) => JSON.stringify([(v as { metricName?: string }).metricName ?? name, v.labels, v.value])).sort();
    };
    const seconds = fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...buckets), fc.constant(0));
    const decision = fc.record({
      outcome: fc.constantFrom("allow", "deny", "require_approval", "odd"),
      reasons: fc.constantFrom([], [{ policy: "mandate.rate_limit" }], [{ policy: "p1" }], [{ policy: "mandate.Bad!" }]),
      seconds,
    });
    // Before any decision (a property's first case may be none, too): the zero buckets, as prom-client shows them.
    expect(await series(registry, "mandate_decision_duration_seconds")).toEqual(await series(ref, "mandate_decision_duration_seconds"));
    await fc.assert(
      fc.asyncProperty(fc.array(decision, { maxLength: 60 }), async (ds) => {
        for (const d of ds) {
          observeDecision(d.outcome, d.reasons, d.seconds);
          counter.inc({ outcome: ["allow", "deny", "require_approval"].includes(d.outcome) ? d.outcome : "other", reason_class: reasonClass(d.reasons) });
          hist.observe(d.seconds);
        }
        for (const name of ["mandate_decisions_total", "mandate_decision_duration_seconds"])
          expect(await series(registry, name)).toEqual(await series(ref, name));
      }),
      { numRuns: 100 },
    );
    expect(() => observeDecision("allow", [], NaN)).toThrow(TypeError);
  }, 60_000);
});

describe("decision reason classes (a bounded label)", () => {
  it("is the built-in code, `policy` for any Cedar policy id, `none` without reason", () => {
    expect(reasonClass([{ policy: "mandate.tool_unknown" }, { policy: "p1" }])).toBe("mandate.tool_unknown");
    expect(reasonClass([{ policy: "policy0" }])).toBe("policy");
    expect(reasonClass([{ policy: "allow-crm-reads-for-team-sales-2026" }])).toBe("policy");
    expect(reasonClass([{ policy: "mandate.Not-A-Code!" }])).toBe("policy");
    expect(reasonClass([])).toBe("none");
  });
});

describe("MANDATE_METRICS_LISTEN addresses", () => {
  it("accepts host:port and [v6]:port, refuses the rest", () => {
    expect(parseListenAddress("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListenAddress("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(parseListenAddress("[::1]:9464")).toEqual({ host: "::1", port: 9464 });
    expect(parseListenAddress("localhost:9464")).toEqual({ host: "localhost", port: 9464 });
    for (const bad of ["9464", "127.0.0.1", "127.0.0.1:70000", "::1:9464", "[zz]:1", "a b:1", ":9464"]) expect(parseListenAddress(bad)).toBeNull();
  });
});
