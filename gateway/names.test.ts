import { describe, expect, it } from "vitest";
import { CLIENT_NAME_PATTERN, NameTable, shortHash } from "./names.ts";

describe("NameTable", () => {
  it("namespaces as <server>__<tool>", () => {
    const t = new NameTable([
      { server: "fs", name: "read_file" },
      { server: "everything", name: "get-env" },
    ]);
    expect(t.exposed("fs", "read_file")).toBe("fs__read_file");
    expect(t.exposed("everything", "get-env")).toBe("everything__get-env");
    expect(t.resolve("fs__read_file")).toEqual({ server: "fs", name: "read_file" });
    expect(t.resolve("nope")).toBeUndefined();
  });

  it("replaces characters clients reject", () => {
    const t = new NameTable([{ server: "my.server", name: "ns/tool.v2" }]);
    const name = t.exposed("my.server", "ns/tool.v2")!;
    expect(name).toBe("my_server__ns_tool_v2");
    expect(name).toMatch(CLIENT_NAME_PATTERN);
  });

  it("hashes names that would collide after sanitising, deterministically", () => {
    const entries = [
      { server: "a", name: "x.y" },
      { server: "a", name: "x/y" },
      { server: "a", name: "x_y" },
    ];
    const t1 = new NameTable(entries);
    const t2 = new NameTable([...entries].reverse());
    const names = entries.map((e) => t1.exposed(e.server, e.name)!);
    expect(new Set(names).size).toBe(3);
    for (const e of entries) expect(t2.exposed(e.server, e.name)).toBe(t1.exposed(e.server, e.name));
    // the first in sorted order keeps the plain form
    expect(t1.exposed("a", "x.y")).toBe("a__x_y");
    expect(t1.exposed("a", "x/y")).toBe(`a__x_y_${shortHash("a", "x/y")}`);
    for (const n of names) expect(t1.resolve(n)).toBeDefined();
  });

  it("keeps long names within 64 characters and unique", () => {
    const long = "t".repeat(100);
    const t = new NameTable([
      { server: "server", name: long },
      { server: "server", name: long + "2" },
    ]);
    const a = t.exposed("server", long)!;
    const b = t.exposed("server", long + "2")!;
    expect(a).toMatch(CLIENT_NAME_PATTERN);
    expect(b).toMatch(CLIENT_NAME_PATTERN);
    expect(a).not.toBe(b);
    expect(a.length).toBe(64);
    expect(t.resolve(b)).toEqual({ server: "server", name: long + "2" });
  });

  it("a tool named like a namespaced pair on another server does not collide", () => {
    const t = new NameTable([
      { server: "a", name: "b__c" },
      { server: "a__b", name: "c" },
    ]);
    expect(t.exposed("a", "b__c")).not.toBe(t.exposed("a__b", "c"));
    expect(t.size).toBe(2);
  });
});
