/**
 * The verifier's own serialisation must give the very bytes of the reference path: canonical JSON of
 * JSON.parse'd data (against lib/util/canonical-json.ts, on many generated values), timestamps from
 * PostgreSQL's text (against node-postgres' parser and Date#toISOString), and the whole entry (against
 * computeEntryHash's canonicalJson(entryContent(...))).
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../util/canonical-json.ts";
import { entryContent } from "./hash.ts";
import { canonicalParsedJson, entryCanonicalFromText, isoOfTimestamptz } from "./verify-range.mjs";

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  "a",
  "Z",
  "0",
  " ",
  '"',
  "\\",
  "/",
  "\n",
  "\r",
  "\t",
  "\b",
  "\f",
  "\u0001",
  "\u001f",
  "\u007f",
  "é",
  "ß",
  "\u2028",
  "\u2029",
  "€",
  "😀",
  "中",
  "\ud83d\ude00",
  "_",
  "-",
  "~",
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  1e21,
  1e-7,
  -1e21,
  123456789012345680000,
  0.1,
  1 / 3,
  2 ** 53,
  -(2 ** 53) - 2,
  5e-324,
  1.7976931348623157e308,
  100,
  1e20,
  0.000001,
];
const KEYS = [
  "",
  "a",
  "b",
  "A",
  "aa",
  "ab",
  "10",
  "9",
  "0",
  "01",
  "4294967295",
  "4294967294",
  "__proto__",
  "constructor",
  "é",
  "z",
  "Z",
  "😀",
  "\u0000x",
  "key with space",
  '"q"',
];

function value(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.45) {
    const p = r();
    if (p < 0.15) return null;
    if (p < 0.3) return r() < 0.5;
    if (p < 0.55) return NUMBERS[Math.floor(r() * NUMBERS.length)] * (r() < 0.3 ? Math.floor(r() * 1000) : 1);
    let s = "";
    const n = Math.floor(r() * 8);
    for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
    return s;
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.6 ? KEYS[Math.floor(r() * KEYS.length)] : String(CHARS[Math.floor(r() * CHARS.length)]) + Math.floor(r() * 50);
    Object.defineProperty(o, key, { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

describe("canonicalParsedJson", () => {
  it("writes the same bytes as canonicalJson for 10,000 generated JSON values (unicode, escapes, 1e21, -0, index keys, nesting)", () => {
    const r = rng(42);
    for (let i = 0; i < 10_000; i++) {
      const text = JSON.stringify(value(r, 0));
      const parsed = JSON.parse(text) as unknown;
      const expected = canonicalJson(parsed);
      if (canonicalParsedJson(JSON.parse(text)) !== expected) expect({ text, got: canonicalParsedJson(JSON.parse(text)) }).toEqual({ text, got: expected });
    }
  });

  it("handles the edge cases by name", () => {
    for (const text of [
      '{"b":1,"a":[1e21,-0,1E400,0.1]}',
      '{"10":1,"9":2,"a":3,"__proto__":{"x":1}}',
      '"\\u2028\\ud800"',
      "[[[]],{}]",
      '{"é":1,"e":2,"😀":3,"\uffff":4}',
      "-0",
      "1e-7",
    ])
      expect(canonicalParsedJson(JSON.parse(text))).toBe(canonicalJson(JSON.parse(text)));
  });
});

describe("isoOfTimestamptz", () => {
  const parse = pg.types.getTypeParser(1184) as (s: string) => Date;
  it("matches node-postgres' parser and toISOString on PostgreSQL's UTC text", () => {
    const r = rng(7);
    const samples = [
      "2026-12-06 13:50:34+00",
      "2026-12-06 13:50:34.1+00",
      "2026-12-06 13:50:34.12+00",
      "2026-12-06 13:50:34.123+00",
      "1999-12-31 23:59:59.999+00",
      "2026-12-06 13:50:34.123456+00",
      "2026-12-06 13:50:34.999999+00",
      "1000-01-01 00:00:00.001+00",
    ];
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(r() * 4e12) - 1e12;
      const d = new Date(ms).toISOString(); // 1938…2096
      const frac = d.slice(20, 23).replace(/0+$/, "");
      samples.push(`${d.slice(0, 10)} ${d.slice(11, 19)}${frac ? `.${frac}` : ""}+00`);
    }
    for (const s of samples) expect(isoOfTimestamptz(s)).toBe(parse(s).toISOString());
  });
  it("takes node-postgres' path for what is unusual (other offsets, early years, BC)", () => {
    for (const s of [
      "2026-12-06 15:50:34.123+02",
      "0099-01-01 00:00:00+00",
      "0999-06-01 12:00:00.5+00",
      "2000-01-01 00:00:00+00 BC",
      "2026-12-06 13:50:34.123-05:30",
    ])
      expect(isoOfTimestamptz(s)).toBe(parse(s).toISOString());
  });
});

describe("entryCanonicalFromText", () => {
  it("equals canonicalJson(entryContent(row)) for rows with and without optional columns", () => {
    const base = {
      chain_id: "0b0e8f1c-7a5e-4a43-9c9f-3c9b1f7e2a11",
      seq: 42,
      prev_hash: "a".repeat(64),
      kind: "decision" as const,
      action: "decision.allow",
      actor: 'agent:"x"\n',
      created_at: "2026-12-06T13:50:34.120Z",
      data: { z: 1, a: { "10": [1e21, "é\u2028"], "9": null }, m: -0 },
    };
    const full = {
      ...base,
      session_id: "s-1",
      step: 7,
      agent_id: "1b0e8f1c-7a5e-4a43-9c9f-3c9b1f7e2a11",
      tool: "crm/get",
      outcome: "allow",
      decision_id: "2b0e8f1c-7a5e-4a43-9c9f-3c9b1f7e2a11",
    };
    const none = { ...base, session_id: null, step: null, agent_id: null, tool: null, outcome: null, decision_id: null };
    for (const e of [full, none]) {
      const text = [
        e.chain_id,
        String(e.seq),
        e.prev_hash,
        "h",
        e.kind,
        e.action,
        e.actor,
        e.session_id,
        e.step === null ? null : String(e.step),
        e.agent_id,
        e.tool,
        e.outcome,
        e.decision_id,
        "2026-12-06 13:50:34.12+00",
        JSON.stringify(e.data),
      ];
      expect(entryCanonicalFromText(text)).toBe(canonicalJson(entryContent(e)));
    }
  });
});
