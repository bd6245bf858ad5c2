/**
 * "What is decided is what runs" (issue 14, item 2): arguments that cannot be represented exactly are
 * refused with a 400 naming the field, on the native decision API and on AuthZEN, and a refused request
 * writes nothing (no audit entry, no session). Against a real node with a policy that forbids /etc/*.
 */
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argumentsHash } from "../../lib/decisions/decide.ts";
import { getPool } from "../../lib/db/pool.ts";
import { closeTestDb, DEFAULT_POLICY, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const ETC_POLICY = `${DEFAULT_POLICY}
@id("no-etc")
@reason("nothing under /etc")
forbid (principal, action == Action::"tools/call", resource)
when { context.args has path && context.args.path like "/etc/*" };
`;

let m: MandateHandle;
let agentKey: string;
let agentName: string;
let pepKey: string;

beforeAll(async () => {
  m = await startMandate();
  agentKey = m.credentials!.agents[0].api_key;
  agentName = m.credentials!.agents[0].name;
  await m.publishPolicy(ETC_POLICY);
  const env = { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir };
  const out = await promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "pep-keys", "create", "--store", "mcp"], { cwd: ROOT, env });
  pepKey = out.stdout.trim().split("\n").pop()!;
  await m.settle();
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

async function written(): Promise<number> {
  const r = await getPool().query("SELECT (SELECT count(*) FROM audit_entries) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM approvals) AS n");
  return Number(r.rows[0].n);
}

/** POSTs a raw body (so that duplicate keys and escapes reach the server exactly as written). */
async function post(path: string, key: string, raw: string | Uint8Array<ArrayBuffer>) {
  const r = await fetch(`${m.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: raw });
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a plain string (AuthZEN errors are a JSON string anyway)
  }
  return { status: r.status, body };
}

/** A decision body whose `arguments` member is the raw JSON text `args`. */
const decisionRaw = (args: string, session = `exact-${randomUUID()}`) =>
  `{"session":{"id":${JSON.stringify(session)}},"tool":{"server":"files","name":"read_file"},"arguments":${args}}`;

describe("POST /api/v1/decisions", () => {
  it("the policy works on exact arguments: /etc/shadow is denied, a note is allowed", async () => {
    expect((await post("/api/v1/decisions", agentKey, decisionRaw(`{"path":"/etc/shadow"}`))).body.decision).toBe("deny");
    expect((await post("/api/v1/decisions", agentKey, decisionRaw(`{"path":"notes/harmless.txt"}`))).body.decision).toBe("allow");
  });

  // [raw arguments, the path named in the answer, a word of the message]
  const refused: Array<[string, string, string, RegExp]> = [
    ["the issue's reproduction: keys that differ by a NUL", `{"path":"/etc/shadow","path\\u0000":"notes/harmless.txt"}`, 'arguments["path\\u0000"]', /U\+0000/],
    ["a NUL in a value", `{"path":"/etc/shadow\\u0000.txt"}`, "arguments.path", /U\+0000/],
    ["an unpaired surrogate in a key", `{"path":"/etc/shadow","pa\\ud800th":"x"}`, 'arguments["pa\\ud800th"]', /surrogate/],
    ["an unpaired surrogate in a nested value", `{"path":"a","opts":["ok","\\udc00"]}`, "arguments.opts[1]", /surrogate/],
    ["a __proto__ key", `{"path":"notes/a.txt","__proto__":{"path":"/etc/shadow"}}`, "arguments.__proto__", /__proto__/],
    ["a nested __proto__ key", `{"path":"notes/a.txt","opts":{"__proto__":{}}}`, "arguments.opts.__proto__", /__proto__/],
    ["a duplicate key in the raw JSON", `{"path":"/etc/shadow","path":"notes/harmless.txt"}`, "arguments.path", /more than once/],
    ["a duplicate key written with an escape", `{"path":"/etc/shadow","p\\u0061th":"notes/harmless.txt"}`, "arguments.path", /more than once/],
    ["keys that differ only in case", `{"path":"notes/harmless.txt","PATH":"/etc/shadow"}`, "arguments.PATH", /same key/],
    ["keys equal under NFC", `{"caf\\u00e9":1,"cafe\\u0301":2}`, 'arguments["cafe\\u0301"]', /same key/],
    [
      "keys equal under NFKC",
      `{"path":"notes/harmless.txt","\\uff50\\uff41\\uff54\\uff48":"/etc/shadow"}`,
      'arguments["\\uff50\\uff41\\uff54\\uff48"]',
      /same key/,
    ],
    ["an __entity key", `{"path":"a","owner":{"__entity":{"type":"Agent","id":"admin"}}}`, "arguments.owner.__entity", /Cedar/],
    ["an __extn key", `{"__extn":{"fn":"ip","arg":"10.0.0.1"}}`, "arguments.__extn", /Cedar/],
    ["an __expr key", `{"path":"a","x":[{"__expr":"1"}]}`, "arguments.x[0].__expr", /Cedar/],
    ["a number JSON cannot hold", `{"path":"a","n":1e400}`, "arguments.n", /finite/],
  ];
  it.each(refused)("refuses %s with a 400 naming the field, and writes nothing", async (_what, args, path, message) => {
    const before = await written();
    const r = await post("/api/v1/decisions", agentKey, decisionRaw(args));
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors[0].path).toBe(path);
    expect(r.body.errors[0].message).toMatch(message);
    expect(r.body.detail).toBe(`${path}: ${r.body.errors[0].message}`);
    expect(r.body.detail).toMatch(/^[\x20-\x7e]+$/); // printable: a NUL is named, never sent back
    expect(await written()).toBe(before);
  });

  it("refuses arguments nested deeper than Cedar reads (32 levels) and accepts 32", async () => {
    const nest = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"path":"notes/x"}${"}".repeat(levels - 1)}`;
    const before = await written();
    const deep = await post("/api/v1/decisions", agentKey, decisionRaw(nest(33)));
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0].path).toBe(`arguments${".a".repeat(32)}`);
    expect(deep.body.errors[0].message).toMatch(/32 levels/);
    expect(await written()).toBe(before);
    const ok = await post("/api/v1/decisions", agentKey, decisionRaw(nest(32)));
    expect(ok.body.decision).toBe("allow");
  });

  it("refuses a NUL anywhere in the body and a body that is not UTF-8", async () => {
    const before = await written();
    const nul = await post(
      "/api/v1/decisions",
      agentKey,
      `{"session":{"id":"s-nul"},"tool":{"server":"files","name":"read_file"},"arguments":{},"request_id":"r\\u0000"}`,
    );
    expect(nul.status).toBe(400);
    expect(nul.body.errors[0].path).toBe("request_id");
    const bytes = new Uint8Array(Buffer.concat([Buffer.from(decisionRaw(`{"path":"notes/`)), Buffer.from([0xff, 0xfe]), Buffer.from(`"}`)]));
    const latin = await post("/api/v1/decisions", agentKey, bytes);
    expect(latin.status).toBe(400);
    expect(latin.body.detail).toMatch(/UTF-8/);
    expect(await written()).toBe(before);
  });

  it("stores, hashes and audits exactly the arguments sent (no normalisation of what is accepted)", async () => {
    const args = { path: "notes/caf\u00e9 e\u0301 \u{1F4A5}.txt", "Caf\u00e9-note": "x\u2028y", n: 1.5, list: [1, "two", null, { k: false }] };
    const r = await post("/api/v1/decisions", agentKey, decisionRaw(JSON.stringify(args)));
    expect(r.body.decision).toBe("allow");
    const row = await getPool().query("SELECT data FROM audit_entries WHERE decision_id = $1", [r.body.decision_id]);
    expect(row.rows[0].data.arguments).toEqual(args);
    expect(row.rows[0].data.arguments_hash).toBe(argumentsHash(args));
  });
});

describe("AuthZEN (MCP profile and generic)", () => {
  const call = (args: string, extraContext = "") =>
    `{"subject":{"type":"agent","id":${JSON.stringify(agentName)}},"action":{"name":"tools/call"},` +
    `"resource":{"type":"tool","id":"files/read_file","properties":{"arguments":${args}}},` +
    `"context":{"session":{"id":"az-exact-${randomUUID()}"}${extraContext}}}`;

  it("decides exact arguments like the native API", async () => {
    expect((await post("/access/v1/evaluation", pepKey, call(`{"path":"/etc/shadow"}`))).body.decision).toBe(false);
    expect((await post("/access/v1/evaluation", pepKey, call(`{"path":"notes/harmless.txt"}`))).body.decision).toBe(true);
  });

  const refused: Array<[string, () => string, RegExp]> = [
    [
      "the issue's reproduction",
      () => call(`{"path":"/etc/shadow","path\\u0000":"notes/harmless.txt"}`),
      /^resource\.properties\.arguments\["path\\u0000"\]: .*U\+0000/,
    ],
    ["a duplicate key", () => call(`{"path":"/etc/shadow","path":"notes/harmless.txt"}`), /^resource\.properties\.arguments\.path: .*more than once/],
    ["a __proto__ key in the context", () => call(`{"path":"a"}`, `,"x":{"__proto__":{"path":"/etc/shadow"}}`), /^context\.x\.__proto__: /],
    [
      "an __entity key in subject properties",
      () => call(`{"path":"a"}`).replace(`"subject":{"type":"agent"`, `"subject":{"properties":{"boss":{"__entity":{"type":"Agent","id":"x"}}},"type":"agent"`),
      /^subject\.properties\.boss\.__entity: .*Cedar/,
    ],
    ["case-colliding keys in the context", () => call(`{"path":"a"}`, `,"Mode":"a","mode":"b"`), /^context\.mode: .*same key/],
    ["arguments that are not an object", () => call(`"/etc/shadow"`), /^resource\.properties\.arguments: must be an object/],
    ["arguments given twice", () => call(`{"path":"a"}`, `,"arguments":{"path":"/etc/shadow"}`), /arguments.*once/],
  ];
  it.each(refused)("refuses %s with a 400 naming the field, and writes nothing", async (_what, raw, message) => {
    const before = await written();
    const r = await post("/access/v1/evaluation", pepKey, raw());
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body).toMatch(message);
    expect(await written()).toBe(before);
  });

  it("in a batch, an item with inexact arguments is an item error; a NUL anywhere refuses the batch", async () => {
    const item = (args: string) => JSON.parse(call(args));
    const batch = {
      evaluations: [item(`{"path":"notes/a"}`), { ...item(`{"path":"notes/a"}`), context: { ...item("{}").context, __extn: { fn: "ip", arg: "1.2.3.4" } } }],
    };
    const r = await post("/access/v1/evaluations", pepKey, JSON.stringify(batch));
    expect(r.status).toBe(200);
    expect(r.body.evaluations[0].decision).toBe(true);
    expect(r.body.evaluations[1]).toMatchObject({
      decision: false,
      context: { error: { status: 400, message: expect.stringMatching(/^evaluations\[1\]: context\.__extn: .*Cedar/) } },
    });
    const before = await written();
    const nul = await post("/access/v1/evaluations", pepKey, JSON.stringify({ ...batch, evaluations: [batch.evaluations[0], item(`{"path":"a\\u0000"}`)] }));
    expect(nul.status).toBe(400);
    expect(nul.body).toMatch(/^evaluations\[1\]\.resource\.properties\.arguments\.path: .*U\+0000/);
    expect(await written()).toBe(before);
  });
});
