import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCedarRecord } from "../policy/cedar-values.ts";
import {
  countMemberNames,
  findDuplicateMember,
  findInexactArguments,
  findInexactBody,
  foldKey,
  formatPath,
  MAX_ARGUMENT_DEPTH,
  MAX_JSON_DEPTH,
} from "./exact-json.ts";

const body = (text: string, fields: string[] | null = ["arguments"]) => findInexactBody(JSON.parse(text), text, fields);
const args = (text: string) => body(`{"arguments":${text}}`);
const nest = (levels: number, inner = "1") => `${'{"a":'.repeat(levels)}${inner}${"}".repeat(levels)}`;

describe("findInexactBody: the body rules", () => {
  it("accepts ordinary JSON", () => {
    expect(body(`{"session":{"id":"s"},"arguments":{"path":"a:b","list":[1,2.5,"\\"q\\":\\\\",{"x":null}],"emoji":"\\ud83d\\udca5"}}`)).toBeNull();
    expect(body(`[]`)).toBeNull();
    expect(body(`"x"`)).toBeNull();
  });

  it.each([
    [`{"a":"x\\u0000"}`, "a", /U\+0000/],
    [`{"a\\u0000b":1}`, '["a\\u0000b"]', /U\+0000/],
    [`{"a":["ok","\\ud800"]}`, "a[1]", /surrogate/],
    [`{"\\udfff":1}`, '["\\udfff"]', /surrogate/],
    [`{"a":{"__proto__":1}}`, "a.__proto__", /__proto__/],
    [`{"a":1e400}`, "a", /finite/],
    [`{"a":-1e999}`, "a", /finite/],
    [`{"a":1,"a":2}`, "a", /more than once/],
    [`{"x":[{"k":1},{"k":1,"\\u006b":2}]}`, "x[1].k", /more than once/],
    [`{"a b":{"c.d":[0,{"e":"\\u0000"}]}}`, '["a b"]["c.d"][1].e', /U\+0000/],
  ])("refuses %s at %s", (text, path, message) => {
    const r = body(text, null);
    expect(r?.path).toBe(path);
    expect(r?.message).toMatch(message);
    expect(r?.path).toMatch(/^[\x20-\x7e]+$/);
  });

  it("does not apply the argument rules outside arguments", () => {
    expect(body(`{"x":{"__entity":{"type":"User","id":"u"}},"y":{"K":1,"k":2}}`)).toBeNull();
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels`, () => {
    expect(body(nest(MAX_JSON_DEPTH - 1), null)).toBeNull(); // the innermost object is level 64
    expect(body(nest(MAX_JSON_DEPTH), null)).toBeNull();
    const r = body(`{"a":${nest(MAX_JSON_DEPTH)}}`, null);
    expect(r).toMatchObject({ code: "too_deep" });
    expect(body(`[${"[".repeat(100_000)}${"]".repeat(100_000)}]`, null)).toMatchObject({ code: "too_deep" });
  });

  it("refuses a body of form fields the same way, without a text to count members in", () => {
    expect(findInexactBody({ grant_type: "x\u0000" }, null)?.path).toBe("grant_type");
  });
});

describe("findInexactBody: the argument rules", () => {
  it.each([
    [`{"path":"/etc/shadow","path\\u0000":"notes/harmless.txt"}`, 'arguments["path\\u0000"]', /U\+0000/],
    [`{"owner":{"__entity":{"type":"Agent","id":"x"}}}`, "arguments.owner.__entity", /Cedar/],
    [`{"__extn":{"fn":"ip","arg":"1.2.3.4"}}`, "arguments.__extn", /Cedar/],
    [`[{"__expr":"x"}]`, "arguments[0].__expr", /Cedar/],
    [`{"path":"a","PATH":"b"}`, "arguments.PATH", /same key as "path"/],
    [`{"Path":"a","x":{"y":1,"Y":2}}`, "arguments.x.Y", /same key/],
    [`{"caf\\u00e9":1,"cafe\\u0301":2}`, 'arguments["cafe\\u0301"]', /same key/],
    [`{"\\uff50\\uff41\\uff54\\uff48":1,"path":2}`, "arguments.path", /same key as "\\uff50/],
    [`{"pa\\u00adth":1,"path":2}`, "arguments.path", /same key/],
    [`{"pa\\u200bth":1,"path":2}`, "arguments.path", /same key/],
    [`{"\\u212a":1,"k":2}`, "arguments.k", /same key/],
    [`{"\\u017f":1,"S":2}`, "arguments.S", /same key/],
    [`{"stra\\u00dfe":1,"STRASSE":2}`, "arguments.STRASSE", /same key/],
  ])("refuses %s at %s", (text, path, message) => {
    const r = args(text);
    expect(r?.path).toBe(path);
    expect(r?.message).toMatch(message);
  });

  it("finds collisions in large objects as in small ones", () => {
    const keys = Array.from({ length: 100 }, (_, i) => `key${i}`);
    expect(args(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1]))))).toBeNull();
    expect(args(JSON.stringify(Object.fromEntries([...keys, "KEY7"].map((k) => [k, 1]))))?.path).toBe("arguments.KEY7");
    expect(args(JSON.stringify(Object.fromEntries([...keys, "\uff4b\uff45\uff59\uff17"].map((k) => [k, 1]))))?.path).toBe(
      'arguments["\\uff4b\\uff45\\uff59\\uff17"]',
    );
  });

  it(`refuses arguments nested deeper than ${MAX_ARGUMENT_DEPTH} levels, and Cedar reads everything within`, () => {
    expect(args(nest(MAX_ARGUMENT_DEPTH))).toBeNull(); // the argument object is level 1
    const r = args(nest(MAX_ARGUMENT_DEPTH + 1));
    expect(r).toMatchObject({ code: "too_deep", path: `arguments${".a".repeat(MAX_ARGUMENT_DEPTH)}` });
    for (const inner of ["1", '"s"', "[1,2]", "[]", "{}", '{"b":true}']) {
      // the deepest accepted container (level 32) holds scalars or nothing
      const deepest = JSON.parse(nest(MAX_ARGUMENT_DEPTH - 1, inner));
      expect(args(JSON.stringify(deepest))).toBeNull();
      expect(toCedarRecord(deepest)).toEqual(deepest);
    }
  });

  it("findInexactArguments names paths from the given root", () => {
    expect(findInexactArguments({ a: [{ __extn: 1 }] }, "context")?.path).toBe("context.a[0].__extn");
    expect(findInexactArguments({ x: 1, X: 2 }, "resource.properties")?.path).toBe("resource.properties.X");
    expect(findInexactArguments({ x: "ok" }, "context")).toBeNull();
  });

  it("foldKey: NFKC, invisible characters removed, full case folding", () => {
    expect(foldKey("Stra\u00dfe")).toBe("strasse");
    expect(foldKey("\ufb01le")).toBe("file");
    expect(foldKey("\u212aelvin")).toBe("kelvin");
    expect(foldKey("a\u200db")).toBe("ab");
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties against a plain model of the rules
// ---------------------------------------------------------------------------------------------------

/** The rules written out naively: the first offence's path segments, or null. */
function model(v: unknown, inArgs: boolean, level = 0, argLevel = 0, argumentFields: string[] = []): (string | number)[] | null {
  if (typeof v === "string") return v.includes("\u0000") || !v.isWellFormed() ? [] : null;
  if (typeof v === "number") return Number.isFinite(v) ? null : [];
  if (v === null || typeof v !== "object") return null;
  if (level + 1 > MAX_JSON_DEPTH) return [];
  if (inArgs && argLevel + 1 > MAX_ARGUMENT_DEPTH) return [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = model(v[i], inArgs, level + 1, argLevel + 1);
      if (r) return [i, ...r];
    }
    return null;
  }
  const keys = Object.keys(v);
  if (inArgs) {
    const folds: string[] = [];
    for (const k of keys) {
      if (k === "__proto__" || k === "__entity" || k === "__extn" || k === "__expr" || k.includes("\u0000") || !k.isWellFormed()) return [k];
    }
    for (const k of keys) {
      if (folds.includes(foldKey(k))) return [k];
      folds.push(foldKey(k));
    }
  }
  for (const k of keys) {
    if (!inArgs && (k === "__proto__" || k.includes("\u0000") || !k.isWellFormed())) return [k];
    const childInArgs = inArgs || (level === 0 && argumentFields.includes(k));
    const r = model((v as Record<string, unknown>)[k], childInArgs, level + 1, inArgs ? argLevel + 1 : 0);
    if (r) return [k, ...r];
  }
  return null;
}

const keyArb = fc.oneof(
  fc.constantFrom(
    "path",
    "PATH",
    "Path",
    "p\u0061th",
    "\uff50ath",
    "pa\u00adth",
    "caf\u00e9",
    "cafe\u0301",
    "k",
    "K",
    "\u212a",
    "__proto__",
    "__entity",
    "__extn",
    "__expr",
    "a\u0000",
    "\ud800",
    "x",
    "y",
    "0",
    "10",
  ),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const stringArb = fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.constantFrom("\u0000", "\udc00", "a:b", '"', "\\", "\ud83d\udca5"));
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    stringArb,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie("v")), { maxLength: 5 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, x] of entries) Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  ),
})).v;

describe("properties", () => {
  it("the walk agrees with the model: same verdict, same place", () => {
    fc.assert(
      fc.property(valueArb, fc.boolean(), (v, asArgs) => {
        const text = JSON.stringify(asArgs ? { arguments: v } : v);
        const got = findInexactBody(JSON.parse(text), text, ["arguments"]);
        const want = model(JSON.parse(text), false, 0, 0, ["arguments"]);
        expect(got?.path ?? null).toBe(want ? formatPath("", want) : null);
      }),
      { numRuns: 2000 },
    );
  });

  it("counts member names in any JSON text exactly (strings full of quotes, colons and backslashes)", () => {
    const members = (v: unknown): number =>
      v === null || typeof v !== "object"
        ? 0
        : Array.isArray(v)
          ? v.reduce((n: number, x) => n + members(x), 0)
          : Object.values(v).reduce((n: number, x) => n + 1 + members(x), 0);
    fc.assert(
      fc.property(fc.jsonValue(), stringArb, fc.constantFrom(0, 2, "\t"), (v, str, space) => {
        const text = JSON.stringify([v, { [str]: str }], null, space);
        expect(countMemberNames(text)).toBe(members(JSON.parse(text)));
        expect(findDuplicateMember(text)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("finds a member given twice, wherever it is, and names it", () => {
    type Path = (string | number)[];
    const objectsOf = (v: unknown, path: Path = []): Path[] =>
      v === null || typeof v !== "object"
        ? []
        : Array.isArray(v)
          ? v.flatMap((x, i) => objectsOf(x, [...path, i]))
          : [...(Object.keys(v).length ? [path] : []), ...Object.entries(v).flatMap(([k, x]) => objectsOf(x, [...path, k]))];
    /** JSON text of v, with the first member of the object at `target` written a second time. */
    const write = (v: unknown, path: Path, target: Path): string => {
      if (v === null || typeof v !== "object") return JSON.stringify(v);
      if (Array.isArray(v)) return `[ ${v.map((x, i) => write(x, [...path, i], target)).join(" , ")} ]`;
      const entries = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)} : ${write(x, [...path, k], target)}`);
      if (JSON.stringify(path) === JSON.stringify(target)) entries.push(`${JSON.stringify(Object.keys(v)[0])}:${JSON.stringify(Object.values(v)[0])}`);
      return `{ ${entries.join(" , ")} }`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (v, pick) => {
        const clean = JSON.stringify(v);
        fc.pre(findInexactBody(JSON.parse(clean), clean) === null && objectsOf(v).length > 0);
        const target = objectsOf(v)[pick % objectsOf(v).length];
        const text = write(v, [], target);
        expect(JSON.parse(text)).toEqual(JSON.parse(clean)); // JSON.parse hides the duplicate
        const key = Object.keys(target.reduce((o: any, seg) => o[seg], v))[0];
        const r = findInexactBody(JSON.parse(text), text);
        expect(r).toMatchObject({ path: formatPath("", [...target, key]), message: expect.stringMatching(/more than once/) });
      }),
      { numRuns: 300 },
    );
  });

  it("never changes the value it checks", () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const text = JSON.stringify({ arguments: v });
        const parsed = JSON.parse(text);
        findInexactBody(parsed, text, ["arguments"]);
        expect(JSON.stringify(parsed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
