import { describe, expect, it } from "vitest";
import { SessionTracker } from "./replay-sessions.ts";

describe("replay session tracking", () => {
  it("knows the tools used before each step of a session replayed from step 1", () => {
    const t = new SessionTracker();
    const d = (step: number, tool: string, outcome = "allow") => ({ session_id: "s", step, tool, outcome });
    expect(t.before(d(1, "a/x"))).toEqual([]);
    t.record(d(1, "a/x"));
    expect(t.before(d(2, "b/y"))).toEqual(["a/x"]);
    t.record(d(2, "b/y", "deny"));
    expect(t.before(d(3, "c/z"))).toEqual(["a/x"]);
  });

  it("a foreign attempt (no step) does not break the owner's sequence", () => {
    const t = new SessionTracker();
    t.record({ session_id: "s", step: 1, tool: "a/x", outcome: "allow" });
    const foreign = { session_id: "s", step: null as number | null, tool: "b/y", outcome: "deny" };
    expect(t.before(foreign)).toBeNull();
    t.record(foreign);
    expect(t.before({ session_id: "s", step: 2 })).toEqual(["a/x"]);
  });
});
