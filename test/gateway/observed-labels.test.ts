/**
 * Labels from what actually flowed (issue 15 §2), on two real nodes sharing one PostgreSQL, through the
 * real gateway in front of the demo files server:
 *   - a tool whose classification has no label (files/read_file) returns a file holding an email
 *     address: the session has `pii` (observed, with its provenance and without the address) before the
 *     result reaches the client, and the next decision on the *other* node sees it (lethal trifecta);
 *   - a node that read the session before an observation cannot decide on the stale labels and drop
 *     the observed ones (the commit's check: a write must keep every label the session has now).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";
import { connectClient, dbQuery, gatewayStdioTransport, tempDir } from "./helpers.ts";

let a: MandateHandle;
let b: MandateHandle;
let apiKey: string;
const spoolDir = tempDir("observed-spool");
const files = tempDir("observed-files");
const clients: Client[] = [];
const EMAIL = { to: "someone@example.org", subject: "hi", body: "hello" };

async function decide(node: MandateHandle, session: string, server: string, name: string, args: Record<string, unknown>) {
  const r = await fetch(`${node.url}/api/v1/decisions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ session: { id: session }, tool: { server, name }, arguments: args }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { decision: string; decision_id: string; reasons: Array<{ policy: string }> };
}

beforeAll(async () => {
  a = await startMandate();
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ databaseUrl: a.databaseUrl, env: { MANDATE_MASTER_KEY: masterKey } });
  apiKey = a.credentials!.agents.find((x) => x.name === "support-assistant")!.api_key;
  writeFileSync(join(files, "contact.txt"), "Call back Jane Roe, jane.roe@example.com, about the renewal.\n");
  writeFileSync(join(files, "plain.txt"), "Nothing personal in here.\n");
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await b?.stop();
  await a?.stop();
});

describe("observed labels", () => {
  it("a result holding an email gives the session pii before the client sees it, and the other node decides with it", async () => {
    const command = [process.execPath, "--import", "tsx", join(ROOT, "examples/mcp-servers/files.ts")];
    const g = await connectClient(gatewayStdioTransport({ mandateUrl: a.url, apiKey, server: "files", command, spoolDir, env: { DEMO_FILES_ROOT: files } }));
    clients.push(g);
    const meta = (s: string) => ({ _meta: { "mandate/session": s } });

    // Control: a result with nothing in it adds nothing.
    await g.callTool({ name: "read_file", arguments: { path: "plain.txt" }, ...meta("obs-control") });
    const [control] = await dbQuery<{ labels: string[]; observed_labels: string[] }>(
      a.databaseUrl,
      `SELECT labels, observed_labels FROM sessions WHERE id = 'obs-control'`,
    );
    expect(control).toEqual({ labels: [], observed_labels: [] });

    const read = await g.callTool({ name: "read_file", arguments: { path: "contact.txt" }, ...meta("obs-1") });
    expect(JSON.stringify(read.content)).toContain("jane.roe@example.com"); // released, after the commit below
    const [s] = await dbQuery<{ labels: string[]; observed_labels: string[] }>(
      a.databaseUrl,
      `SELECT labels, observed_labels FROM sessions WHERE id = 'obs-1'`,
    );
    expect(s).toEqual({ labels: ["pii"], observed_labels: ["pii"] });
    const [entry] = await dbQuery<{ tool: string; outcome: string; data: unknown }>(
      a.databaseUrl,
      `SELECT tool, outcome, data FROM audit_entries WHERE action = 'outcome.labels_observed' AND session_id = 'obs-1'`,
    );
    expect(entry.tool).toBe("files/read_file");
    expect(entry.data).toMatchObject({ added: ["pii"], provenance: [{ label: "pii", source: "detector", detector: "email", count: 1 }] });
    expect(JSON.stringify(entry.data)).not.toContain("jane.roe"); // a detector's name and a count, never the value

    // The other node: untrusted content, then external communication → the lethal trifecta.
    expect((await decide(b, "obs-1", "web", "fetch_url", { url: "https://example.org/" })).decision).toBe("allow");
    const d = await decide(b, "obs-1", "mail", "send_email", EMAIL);
    expect(d.decision).toBe("deny");
    expect(d.reasons.map((r) => r.policy)).toContain("lethal-trifecta");
  });

  it("a node that read the session before an observation re-evaluates instead of dropping the observed labels", async () => {
    const session = "obs-stale";
    const read = await decide(a, session, "files", "read_file", { path: "contact.txt" });
    expect(read.decision).toBe("allow");
    // B reads (and caches) the session at step 2, before the observation.
    expect((await decide(b, session, "web", "fetch_url", { url: "https://example.org/" })).decision).toBe("allow");
    const r = await fetch(`${a.url}/api/v1/observations`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        session: { id: session },
        decision_id: read.decision_id,
        labels: ["pii"],
        provenance: [{ label: "pii", source: "detector", detector: "email", count: 1 }],
      }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ added: ["pii"], observed_labels: ["pii"], labels: ["pii", "untrusted_content"] });
    // B's cached state is at the same step: only the labels check makes its commit conflict.
    const d = await decide(b, session, "mail", "send_email", EMAIL);
    expect(d.decision).toBe("deny");
    expect(d.reasons.map((x) => x.policy)).toContain("lethal-trifecta");
    const [s] = await dbQuery<{ labels: string[]; observed_labels: string[] }>(a.databaseUrl, `SELECT labels, observed_labels FROM sessions WHERE id = $1`, [
      session,
    ]);
    expect(s).toEqual({ labels: ["pii", "untrusted_content"], observed_labels: ["pii"] });
  });

  it("skips the detectors an admin turned off for an item or its server, and says so in the decision", async () => {
    const command = [process.execPath, "--import", "tsx", join(ROOT, "examples/mcp-servers/files.ts")];
    const g = await connectClient(gatewayStdioTransport({ mandateUrl: a.url, apiKey, server: "files", command, spoolDir, env: { DEMO_FILES_ROOT: files } }));
    clients.push(g);
    const put = (path: string, body: unknown) =>
      fetch(`${a.url}${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${a.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const labelsOf = async (session: string) =>
      (await dbQuery<{ observed_labels: string[] }>(a.databaseUrl, `SELECT observed_labels FROM sessions WHERE id = $1`, [session]))[0].observed_labels;

    // A name that is neither a detector nor a label: 400, and nothing changes.
    const bad = await put("/api/v1/tools/files/read_file/detectors", { detectors_off: ["pii", "emails"] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 400 });
    expect((await put("/api/v1/tools/files/nope/detectors", { detectors_off: ["pii"] })).status).toBe(404);

    // Off for the tool (applied on this node before the answer): the email no longer labels the session.
    const off = await put("/api/v1/tools/files/read_file/detectors", { detectors_off: ["pii"], note: "synthetic contacts" });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ server: "files", name: "read_file", detectors_off: ["pii"] });
    expect((await decide(a, "obs-off-direct", "files", "read_file", { path: "contact.txt" })) as unknown).toMatchObject({ detectors_off: ["pii"] });
    const read = await g.callTool({ name: "read_file", arguments: { path: "contact.txt" }, _meta: { "mandate/session": "obs-off" } });
    expect(JSON.stringify(read.content)).toContain("jane.roe@example.com");
    expect(await labelsOf("obs-off")).toEqual([]);
    const [entry] = await dbQuery<{ tool: string; data: unknown }>(a.databaseUrl, `SELECT tool, data FROM audit_entries WHERE action = 'tool.detectors'`);
    expect(entry).toMatchObject({ tool: "files/read_file", data: { previous: [], detectors_off: ["pii"], note: "synthetic contacts" } });

    // Back on for the tool, off for the whole server by detector name: still skipped (item ∪ server).
    expect((await put("/api/v1/tools/files/read_file/detectors", { detectors_off: [] })).status).toBe(200);
    expect((await put("/api/v1/servers/files/detectors", { detectors_off: ["email"] })).status).toBe(200);
    await g.callTool({ name: "read_file", arguments: { path: "contact.txt" }, _meta: { "mandate/session": "obs-off-server" } });
    expect(await labelsOf("obs-off-server")).toEqual([]);

    // And back on: the same read labels the session again.
    expect((await put("/api/v1/servers/files/detectors", { detectors_off: [] })).status).toBe(200);
    await g.callTool({ name: "read_file", arguments: { path: "contact.txt" }, _meta: { "mandate/session": "obs-on-again" } });
    expect(await labelsOf("obs-on-again")).toEqual(["pii"]);
  });

  it("refuses an observation for a decision that is not this agent's allow in that session", async () => {
    const other = await a.createAgent("observer-other");
    const mine = await decide(a, "obs-refused", "files", "read_file", { path: "plain.txt" });
    const post = (key: string, body: unknown) =>
      fetch(`${a.url}/api/v1/observations`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const body = { session: { id: "obs-refused" }, decision_id: mine.decision_id, labels: ["pii"] };
    expect((await post(other.apiKey, body)).status).toBe(422);
    expect((await post(apiKey, { ...body, session: { id: "obs-elsewhere" } })).status).toBe(422);
    expect((await post(apiKey, { ...body, labels: ["PII!"] })).status).toBe(400);
    const [s] = await dbQuery<{ observed_labels: string[] }>(a.databaseUrl, `SELECT observed_labels FROM sessions WHERE id = 'obs-refused'`);
    expect(s.observed_labels).toEqual([]);
  });
});
