import { describe, expect, it } from "vitest";
import { parseListenAddress } from "../env.ts";
import { reasonClass } from "./metrics.ts";

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
