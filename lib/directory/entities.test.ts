import { describe, expect, it } from "vitest";
import { parseEntities } from "./entities.ts";
import { directoryRecord } from "./values.ts";

describe("parseEntities", () => {
  it("accepts Mandate's format, a bare array and Cedar's entities JSON", () => {
    const a = parseEntities({ entities: [{ type: "user", id: "u1", attrs: { roles: ["admin"] } }], _source: "x" });
    const b = parseEntities([{ type: "user", id: "u1", attrs: { roles: ["admin"] }, parents: [] }]);
    const c = parseEntities([{ uid: { __entity: { type: "user", id: "u1" } }, attrs: { roles: ["admin"] }, parents: [] }]);
    expect(a).toEqual(b);
    expect(c).toEqual(b);
  });

  it("names the entity at fault", () => {
    expect(() =>
      parseEntities({
        entities: [
          { type: "user", id: "u1" },
          { type: "bad type", id: "x" },
        ],
      }),
    ).toThrow(/entities\.1\.type/);
    expect(() =>
      parseEntities([
        { type: "user", id: "u1" },
        { type: "user", id: "u1" },
      ]),
    ).toThrow(/appears twice/);
    expect(() => parseEntities({ users: {} })).toThrow(/expected/);
  });
});

describe("directoryRecord", () => {
  it("converts to Cedar values and keeps entity references", () => {
    expect(directoryRecord({ n: 1, f: 1.5, s: "x", nil: null, set: [1, null], owner: { __entity: { type: "user", id: "u" } }, r: { __entity: "no" } })).toEqual(
      {
        n: 1,
        f: "1.5",
        s: "x",
        set: [1],
        owner: { __entity: { type: "user", id: "u" } },
        r: {},
      },
    );
  });
});
