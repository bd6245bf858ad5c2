import { describe, expect, it } from "vitest";
import { labelSchema } from "../inventory/tools-admin.ts";
import { DEFAULT_MAX_CHARS, inspectResult, LABEL_NAME } from "./index.ts";

const EMAIL = "jane.roe@shop.example";
const CARD = "4111 1111 1111 1111";
const KEY = "ghp_j2SF57zpFWT457qUPVGlt9YD3xT90jafLK7S";
const text = (t: string) => ({ type: "text", text: t });

describe("inspectResult: what is read, per method", () => {
  it("tools/call: text blocks, embedded resources, resource links and structuredContent; never binary data", () => {
    const r = inspectResult("tools/call", {
      content: [
        text(`customer ${EMAIL}`),
        { type: "resource", resource: { uri: "crm://customers/1", text: `card ${CARD}` } },
        { type: "resource_link", uri: "crm://customers/2", name: "c2", description: "owner: +44 20 7946 0958" },
        { type: "image", data: "jane.roe@shop.example", mimeType: "image/png" },
        { type: "resource", resource: { uri: "file:///x.bin", blob: "jane.roe@shop.example" } },
      ],
      structuredContent: { customers: [{ email: EMAIL }, { notes: [`token ${KEY}`] }] },
    });
    expect(r.labels).toEqual(["financial", "pii", "secrets"]);
    expect(r.provenance).toEqual([
      { label: "pii", source: "detector", detector: "email", count: 2 },
      { label: "pii", source: "detector", detector: "phone", count: 1 },
      { label: "pii", source: "detector", detector: "payment_card", count: 1 },
      { label: "financial", source: "detector", detector: "payment_card", count: 1 },
      { label: "secrets", source: "detector", detector: "secrets", count: 1 },
    ]);
    expect(r.truncated).toBe(false);
  });

  it("never returns a matched value", () => {
    const r = inspectResult("tools/call", { content: [text(`${EMAIL} ${CARD} ${KEY}`)] });
    const out = JSON.stringify(r);
    for (const secret of [EMAIL, CARD, KEY, "4111"]) expect(out).not.toContain(secret);
  });

  it("resources/read: contents[].text, not blobs", () => {
    expect(inspectResult("resources/read", { contents: [{ uri: "crm://customers/1", text: `{"email":"${EMAIL}"}` }] }).labels).toEqual(["pii"]);
    expect(inspectResult("resources/read", { contents: [{ uri: "crm://customers/1", blob: EMAIL }] }).labels).toEqual([]);
  });

  it("prompts/get: description and messages (one block or an array)", () => {
    const r = inspectResult("prompts/get", {
      description: "Follow up",
      messages: [
        { role: "user", content: text(`Write to ${EMAIL}`) },
        { role: "assistant", content: [text("IBAN DE89 3704 0044 0532 0130 00")] },
      ],
    });
    expect(r.labels).toEqual(["financial", "pii"]);
    expect(r.provenance.map((p) => p.detector)).toEqual(["email", "iban", "iban"]);
  });

  it("sampling/createMessage (request params): systemPrompt and messages", () => {
    const r = inspectResult("sampling/createMessage", {
      systemPrompt: `Use key ${KEY}`,
      messages: [{ role: "user", content: text("SSN 536-22-1234") }],
      maxTokens: 100,
    });
    expect(r.labels).toEqual(["pii", "secrets"]);
  });

  it("unknown methods: every string except _meta, blob and data", () => {
    expect(inspectResult("tasks/get", { task: { note: EMAIL }, _meta: { note: CARD }, blob: CARD }).labels).toEqual(["pii"]);
  });

  it("nothing to read gives nothing, whatever the shape", () => {
    for (const v of [null, undefined, 42, "x", [], {}, { content: "not an array" }, { content: [null, 1, "x"] }])
      expect(inspectResult("tools/call", v)).toEqual({ labels: [], provenance: [], truncated: false, inspectedChars: 0, ignored: [] });
  });
});

describe("inspectResult: labels the server attaches in _meta", () => {
  it('reads _meta["mandate/labels"] on the result and on blocks; ignores and reports what is not a label name', () => {
    const r = inspectResult("tools/call", {
      content: [{ ...text("hello"), _meta: { "mandate/labels": ["pii", "PII", "", 7, "x".repeat(51), "customer_data"] } }],
      _meta: { "mandate/labels": ["untrusted_content", "pii"] },
    });
    expect(r.labels).toEqual(["customer_data", "pii", "untrusted_content"]);
    expect(r.provenance).toEqual([
      { label: "untrusted_content", source: "meta", key: "mandate/labels" },
      { label: "pii", source: "meta", key: "mandate/labels" },
      { label: "customer_data", source: "meta", key: "mandate/labels" },
    ]);
    expect(r.ignored.map((i) => i.reason)).toEqual([1, 2, 3, 4].map((i) => `entry ${i} is not a label name (lowercase letters, digits, _; 1-50 characters)`));
    expect(inspectResult("tools/call", { _meta: { "mandate/labels": "pii" } }).ignored).toEqual([
      { key: "mandate/labels", reason: "not an array of label names" },
    ]);
  });

  it("uses the inventory's label syntax", () => {
    for (const s of ["pii", "a_1", "", "A", "a-b", "a b", "é", "x".repeat(50), "x".repeat(51)])
      expect(LABEL_NAME.test(s), s).toBe(labelSchema.safeParse(s).success);
  });

  it("maps GitHub MCP server's _meta.ifc (integrity, readers list)", () => {
    const labels = (ifc: unknown) => inspectResult("tools/call", { content: [], _meta: { ifc } }).labels;
    expect(labels({ integrity: "untrusted", confidentiality: ["public"] })).toEqual(["untrusted_content"]);
    expect(labels({ integrity: "trusted", confidentiality: ["public"] })).toEqual([]);
    expect(labels({ integrity: "trusted", confidentiality: ["octocat", "hubot"] })).toEqual(["confidential"]);
    expect(labels({ integrity: "untrusted", confidentiality: ["octocat"] })).toEqual(["confidential", "untrusted_content"]);
    expect(labels({ integrity: "trusted", confidentiality: [] })).toEqual(["confidential"]);
    expect(labels({ integrity: "trusted", confidentiality: ["public", "octocat"] })).toEqual(["confidential"]);
    // The readers-lattice serialisation (pkg/ifc ReadersSecurityLabel.ToDict): integrity high | low.
    expect(labels({ integrity: "low", confidentiality: ["public"] })).toEqual(["untrusted_content"]);
    expect(labels({ integrity: "high", confidentiality: ["PUBLIC"] })).toEqual([]);
  });

  it("maps agent-framework FIDES labels (ContentLabel and per-field GitHub labels)", () => {
    const labels = (ifc: unknown) => inspectResult("tools/call", { content: [], _meta: { ifc } }).labels;
    expect(labels({ integrity: "untrusted", confidentiality: "public" })).toEqual(["untrusted_content"]);
    expect(labels({ integrity: "trusted", confidentiality: "private" })).toEqual(["confidential"]);
    expect(labels({ integrity: "trusted", confidentiality: "user_identity" })).toEqual(["confidential"]);
    expect(labels({ labels: { title: { integrity: "high", confidentiality: ["public"] }, body: { integrity: "low", confidentiality: ["public"] } } })).toEqual([
      "untrusted_content",
    ]);
    expect(labels([{ integrity: "trusted" }, { integrity: "medium" }])).toEqual(["untrusted_content"]);
  });

  it("fails closed on ifc values it does not know, and reports them", () => {
    const r = inspectResult("tools/call", { content: [], _meta: { ifc: { integrity: "verified", confidentiality: "top-secret" } } });
    expect(r.labels).toEqual(["confidential", "untrusted_content"]);
    expect(r.ignored).toEqual([
      { key: "ifc", reason: "unknown integrity value; treated as untrusted" },
      { key: "ifc", reason: "unknown confidentiality value; treated as confidential" },
    ]);
    expect(inspectResult("tools/call", { _meta: { ifc: "untrusted" } }).ignored).toEqual([{ key: "ifc", reason: "not an object" }]);
  });

  it("server labels only add: a trusted/public ifc label removes nothing the detectors found", () => {
    const r = inspectResult("tools/call", {
      content: [text(EMAIL)],
      _meta: { ifc: { integrity: "trusted", confidentiality: ["public"] }, "mandate/labels": [] },
    });
    expect(r.labels).toEqual(["pii"]);
  });
});

describe("inspectResult: options and bounds", () => {
  it("detectorsOff takes detector names or labels; unknown names are reported, detection stays on", () => {
    const result = { content: [text(`${EMAIL} ${CARD} ${KEY}`)] };
    expect(inspectResult("tools/call", result, { detectorsOff: ["email"] }).labels).toEqual(["financial", "pii", "secrets"]);
    expect(inspectResult("tools/call", result, { detectorsOff: ["pii"] }).labels).toEqual(["secrets"]);
    expect(inspectResult("tools/call", result, { detectorsOff: ["secrets"] }).labels).toEqual(["financial", "pii"]);
    const typo = inspectResult("tools/call", result, { detectorsOff: ["emial"] });
    expect(typo.labels).toEqual(["financial", "pii", "secrets"]);
    expect(typo.ignored).toEqual([{ key: "detectorsOff", reason: "unknown detector or label: emial" }]);
  });

  it("detectorsOff does not turn off labels the server attached", () => {
    const r = inspectResult("tools/call", { content: [text(EMAIL)], _meta: { "mandate/labels": ["pii"] } }, { detectorsOff: ["pii"] });
    expect(r.provenance).toEqual([{ label: "pii", source: "meta", key: "mandate/labels" }]);
  });

  it("inspects at most maxChars and says so; _meta is still read", () => {
    const filler = "x".repeat(1000);
    const r = inspectResult("tools/call", { content: [text(filler), text(`${filler} ${EMAIL}`)], _meta: { "mandate/labels": ["pii"] } }, { maxChars: 1500 });
    expect(r).toMatchObject({ truncated: true, inspectedChars: 1500 });
    expect(r.provenance).toEqual([{ label: "pii", source: "meta", key: "mandate/labels" }]);
    expect(inspectResult("tools/call", { content: [text(`${filler} ${EMAIL}`)] }, { maxChars: 2000 })).toMatchObject({ truncated: false, labels: ["pii"] });
    expect(DEFAULT_MAX_CHARS).toBe(1_048_576);
  });

  it("stops at 64 levels of nesting and reports truncation", () => {
    let deep: unknown = EMAIL;
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const r = inspectResult("tools/call", { content: [], structuredContent: deep });
    expect(r).toMatchObject({ truncated: true, labels: [] });
  });

  it("does not join texts of two blocks into one match", () => {
    const r = inspectResult("tools/call", { content: [text("call +44 20"), text("7946 0958 now"), text("4111 1111"), text("1111 1111")] });
    expect(r.labels).toEqual([]);
  });
});

describe("inspectResult: time", () => {
  it("prints the time to inspect a 64 KiB and a 1 MiB text result", () => {
    const para =
      "Order ORD-20261206-4411 lists 1,234 items shipped 2026-12-06T10:00:00Z (build 3.14.2, id 123e4567-e89b-12d3-a456-426614174000); " +
      "see https://docs.example.com/reports/q4?id=5521 and ticket #4521. The customer asked for a refund of 98.70 EUR. ";
    const issue = (i: number) => ({
      url: `https://api.github.com/repos/acme/app/issues/${i}`,
      id: 1_000_000 + i,
      title: `Crash when saving draft #${i}`,
      user: { login: "octocat", id: 583231, avatar_url: "https://avatars.githubusercontent.com/u/583231?v=4" },
      author_association: "MEMBER",
      created_at: "2026-12-01T10:00:00Z",
      body: "Steps: open the editor, type, press save. Expected: saved. Actual: crash with error 0x80004005 at 12:03.",
    });
    const json = JSON.stringify(Array.from({ length: 400 }, (_, i) => issue(i)));
    const make = (n: number, seed = para) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
    const rows: string[] = [];
    for (const [name, size, runs, seed] of [
      ["64 KiB prose", 64 * 1024, 200, para],
      ["64 KiB JSON (GitHub issues)", 64 * 1024, 200, json],
      ["1 MiB prose", 1024 * 1024, 15, para],
    ] as const) {
      const result = { content: [text(make(size, seed))] };
      for (let i = 0; i < 5; i++) inspectResult("tools/call", result);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        inspectResult("tools/call", result);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push(`${name}: p50 ${times[Math.floor(runs / 2)].toFixed(3)} ms, min ${times[0].toFixed(3)} ms (${runs} runs)`);
    }
    // Printed, not asserted: other processes share this machine (see bench/ for the gateway's figures).
    console.log(`inspectResult, text with numbers, dates, URLs and no PII:\n  ${rows.join("\n  ")}`);
  });
});
