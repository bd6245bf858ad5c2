/**
 * Every kind and action Mandate writes, mapped to OCSF and validated against the committed JSON Schemas
 * of OCSF 1.3.0's classes (ajv, draft-07, strict). Entries are built by the real builders where the data
 * matters (decisions), else from each definition's actions with representative data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { knownActions } from "../../audit/entries/index.ts";
import { cefLine } from "../cef.ts";
import { encode, itemOf, syslogMessage } from "../encode.ts";
import { eventId, OCSF_VERSION, toOcsf, type SinkEntry } from "./map.ts";

const dir = join(import.meta.dirname, "schemas");
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
for (const f of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")));
const SCHEMA_OF: Record<number, string> = {
  6003: "https://mandate.dev/ocsf/1.3.0/api_activity.json",
  3002: "https://mandate.dev/ocsf/1.3.0/authentication.json",
  3004: "https://mandate.dev/ocsf/1.3.0/entity_management.json",
};

const CHAIN = "0b6f8a52-3c1e-4d7f-9a0b-1c2d3e4f5a6b";
function entry(kind: string, action: string, data: Record<string, unknown>, cols: Partial<SinkEntry> = {}, seq = 7): SinkEntry {
  return {
    chain_id: CHAIN,
    seq,
    kind,
    action,
    actor: "user:ops@example.com",
    session_id: null,
    step: null,
    agent_id: null,
    tool: null,
    outcome: null,
    decision_id: null,
    created_at: "2026-12-09T01:00:00.123Z",
    hash: "a".repeat(64),
    data: { v: 1, ...data },
    ...cols,
  };
}

function validate(e: SinkEntry) {
  const ev = toOcsf(e);
  const v = ajv.getSchema(SCHEMA_OF[ev.class_uid]);
  expect(v, `a schema for class ${ev.class_uid}`).toBeDefined();
  const ok = v!(ev);
  expect(ok ? [] : v!.errors, `${e.kind} ${e.action}`).toEqual([]);
  return ev;
}

const decision = (outcome: "allow" | "deny" | "require_approval") =>
  entry(
    "decision",
    `decision.${outcome}`,
    {
      agent: { id: "5e0e7bb8-6f5c-4b8e-9a43-3f0b0c7d2a11", key_id: "mnd_ak_abcdefgh", name: "billing-bot" },
      tool: { name: "get_customer", server: "crm", status: "approved", effect: "read", risk: "low", labels: [] },
      method: "tools/call",
      reasons: outcome === "allow" ? [] : [{ policy: "deny-pii", message: "no PII" }],
      policy_version: "v12",
      request_id: "req-1",
    },
    {
      actor: "agent:billing-bot",
      agent_id: "5e0e7bb8-6f5c-4b8e-9a43-3f0b0c7d2a11",
      session_id: "s-1",
      step: 3,
      tool: "crm/get_customer",
      outcome,
      decision_id: "9d1c3f1e-2b4a-4c5d-8e6f-7a8b9c0d1e2f",
    },
  );

describe("OCSF mapping (pinned 1.3.0)", () => {
  it("maps decisions to API Activity with the policy decision on the actor", () => {
    const allow = validate(decision("allow"));
    expect(allow).toMatchObject({ class_uid: 6003, category_uid: 6, type_uid: 600399, status_id: 1, metadata: { version: OCSF_VERSION, uid: `${CHAIN}:7` } });
    const deny = validate(decision("deny"));
    expect(deny).toMatchObject({ status_id: 2, severity_id: 3, actor: { authorizations: [{ decision: "deny", policy: { uid: "deny-pii" } }] } });
    expect(deny.resources).toEqual([{ name: "get_customer", type: "tool", uid: "crm/get_customer" }]);
    expect(validate(decision("require_approval")).status_id).toBe(99);
  });

  it("maps every kind and action Mandate writes to a class whose schema the event satisfies", () => {
    const classes = new Set<number>();
    for (const { kind, action } of knownActions()) {
      const cols = kind === "decision" || kind === "outcome" ? { actor: "agent:a", outcome: action.split(".")[1] } : {};
      const ev = validate(entry(kind, action, { reason: "because", email: "x@example.com", user_id: "u-1", source: "127.0.0.1" }, cols));
      classes.add(ev.class_uid);
    }
    expect([...classes].sort()).toEqual([3002, 3004, 6003]);
    expect(validate(entry("admin", "auth.signin_failed", { email: "x@example.com", source: "::1", reason: "wrong_password" }))).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      status_id: 2,
      src_endpoint: { ip: "::1" },
    });
    expect(validate(entry("admin", "sink.remove", { sink_id: "s", name: "splunk" }))).toMatchObject({
      class_uid: 3004,
      activity_id: 4,
      entity: { type: "sink" },
    });
  });

  it("refuses what the class does not define (the schemas can fail)", () => {
    const ev = toOcsf(decision("allow"));
    const v = ajv.getSchema(SCHEMA_OF[6003])!;
    expect(v({ ...ev, invented: 1 })).toBe(false);
    expect(v({ ...ev, api: {} })).toBe(false);
    const { src_endpoint: _drop, ...noSource } = ev;
    expect(v(noSource)).toBe(false);
    expect(v({ ...ev, metadata: { ...ev.metadata, version: "1.1.0" } })).toBe(false);
  });

  it("derives a stable idempotency id from chain and seq, carried by every encoding", () => {
    const e = decision("deny");
    expect(eventId(e)).toBe(`${CHAIN}:7`);
    expect(toOcsf(e).metadata.uid).toBe(toOcsf({ ...e }).metadata.uid);
    const items = [itemOf(e, toOcsf(e)), itemOf({ ...e, seq: 8 }, toOcsf({ ...e, seq: 8 }))];
    const hec = encode("hec", "ocsf", items, "node-1")
      .body.toString()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(hec.map((h) => h.fields.event_id)).toEqual([`${CHAIN}:7`, `${CHAIN}:8`]);
    const web = encode("webhook", "ocsf", items, "node-1");
    expect(web.headers["idempotency-key"]).toBe(`${CHAIN}:7-8`);
    const otlp = JSON.parse(encode("otlp", "ocsf", items, "node-1").body.toString());
    expect(otlp.resourceLogs[0].scopeLogs[0].logRecords[1].attributes[0]).toEqual({ key: "event.id", value: { stringValue: `${CHAIN}:8` } });
    const msg = syslogMessage(items[0], "node 1", "ocsf");
    const sd = `[mandate@32473 event_id="${CHAIN}:7" chain_id="${CHAIN}" seq="7" action="decision.deny"]`;
    expect(msg.startsWith(`<108>1 2026-12-09T01:00:00.123Z node_1 mandate - ocsf-6003 ${sd} \uFEFF{`)).toBe(true);
    const framed = encode("syslog", "ocsf", items, "n").body.toString();
    expect(Number(framed.split(" ")[0])).toBe(Buffer.byteLength(syslogMessage(items[0], "n", "ocsf")));
  });

  it("writes CEF with escaped header and extension values", () => {
    const e = entry("admin", "policy.publish", { reason: "a=b|c\\d\nnext" }, { actor: "user:a=b@example.com" });
    const line = cefLine(itemOf(e, toOcsf(e)));
    expect(line).toMatch(/^CEF:0\|Mandate\|Mandate\|0\.1\.0\|policy\.publish\|policy\.publish by user:a=b@example\.com\|3\|rt=\d+ externalId=/);
    expect(line).toContain("suser=user:a\\=b@example.com");
    expect(line).not.toMatch(/\n/);
  });
});
