import { describe, expect, it } from "vitest";
import { loginUrlFor, returnPathOf, safeReturnPath } from "./return-path.ts";

describe("return path after sign-in", () => {
  it("keeps a path of this console, with its query", () => {
    expect(safeReturnPath("/sessions?x=1")).toBe("/sessions?x=1");
    expect(safeReturnPath("/sessions/s-1%2F2?q=a%20b#step-3")).toBe("/sessions/s-1%2F2?q=a%20b#step-3");
    expect(safeReturnPath("/")).toBe("/");
  });

  it("refuses anything that could leave the console: other hosts, schemes, backslashes, control characters", () => {
    for (const v of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "\\\\evil.example",
      "/sessions\\..\\x",
      "javascript:alert(1)",
      "sessions",
      "",
      " /sessions",
      "/\tsessions",
      "/sessions\n",
      "/a/../b", // normalised by the browser into another path: not what was asked for
      `/${"a".repeat(2100)}`,
      undefined,
      null,
      ["/sessions"],
    ])
      expect(safeReturnPath(v), String(v)).toBe("/");
  });

  it("the login URL of a request: the path asked for, Next's internal parameters removed", () => {
    expect(loginUrlFor("/sessions?x=1")).toBe("/login?callbackUrl=%2Fsessions%3Fx%3D1");
    expect(returnPathOf("/sessions/abc?_rsc=1x2y")).toBe("/sessions/abc");
    expect(returnPathOf("/audit?agent=a&_rsc=1")).toBe("/audit?agent=a");
    expect(loginUrlFor("/")).toBe("/login");
    expect(loginUrlFor("/?_rsc=1")).toBe("/login");
    expect(loginUrlFor("//evil.example/")).toBe("/login");
    expect(loginUrlFor(null)).toBe("/login");
  });
});
