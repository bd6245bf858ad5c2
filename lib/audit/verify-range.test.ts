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
import { rng, value } from "../../test/support/json-samples.ts";

describe("canonicalParsedJson", () => {
  it("writes the same bytes as canonicalJson for 10,000 generated JSON values (unicode, escapes, 1e21, -0, index keys, nesting)", () => {
    const r = rng(42);
    for (let i = 0; i < 10_000; i++) {
      const text = JSON.stringify(value(r, 0));
      const parsed = JSON.parse(text) as unknown;
      const expected = canonicalJson(parsed);
      if (canonicalParsedJson(JSON.parse(text)) !== expected) expect({ text, got: canonicalParsedJson(JSON.parse(text)) }).toEqual({ text, got: expected });
    }
  }, 60_000); // ~1 s alone; 16 s was seen at a load average of 25

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
