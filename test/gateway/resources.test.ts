/**
 * Resources and prompts are mediated like tools (issue 15 §1), through the real gateway in front of the
 * demo crm server (its `crm://customers/{id}` family and `customer_brief` prompt, seeded approved) and
 * `@modelcontextprotocol/server-everything` (nothing of it approved), against a real node:
 *   - reading a `pii` resource gives the session `pii`: with untrusted content, send_email is then
 *     denied by the default lethal-trifecta rule (the bypass found: reading the data as a resource);
 *   - an unapproved resource or prompt is neither listed nor readable, until an admin approves it;
 *   - a URI that normalisation would change is refused, not normalised; refusals are JSON-RPC errors
 *     whose `data` is the `mandate/error` object; every read is a decision in the audit log.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";
import { EVERYTHING, RAW_SERVER, connectClient, dbQuery, directStdioTransport, gatewayStdioTransport, tempDir } from "./helpers.ts";

let m: MandateHandle;
let apiKey: string;
const spoolDir = tempDir("resources-spool");
const clients: Client[] = [];
const CRM = [process.execPath, "--import", "tsx", join(ROOT, "examples/mcp-servers/crm.ts")];
const EVERYTHING_CMD = [process.execPath, EVERYTHING, "stdio"];

async function gateway(server: string, command: string[]): Promise<Client> {
  const c = await connectClient(gatewayStdioTransport({ mandateUrl: m.url, apiKey, server, command, spoolDir }));
  clients.push(c);
  return c;
}

/** A decision through the native API in the same session (the tools of other servers). */
async function decide(session: string, server: string, name: string, args: Record<string, unknown>) {
  const r = await fetch(`${m.url}/api/v1/decisions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ session: { id: session }, tool: { server, name }, arguments: args }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { decision: string; reasons: Array<{ policy: string }> };
}

async function refusal(p: Promise<unknown>): Promise<{ code: number; data: { code: string; reasons?: Array<{ policy: string }> } }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "the request was not refused").toBeInstanceOf(McpError);
  return e as { code: number; data: { code: string; reasons?: Array<{ policy: string }> } };
}

const meta = (session: string) => ({ _meta: { "mandate/session": session } });

beforeAll(async () => {
  m = await startMandate();
  apiKey = m.credentials!.agents.find((a) => a.name === "support-assistant")!.api_key;
});

afterAll(async () => {
  if (process.env.DEBUG_LOGS) console.log(m.logs());
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await m?.stop();
});

describe("resources and prompts through the gateway", () => {
  it("lists the seeded crm family and prompt exactly as the live server defines them (the seed's hashes match)", async () => {
    const direct = await connectClient(directStdioTransport(CRM));
    clients.push(direct);
    const g = await gateway("crm", CRM);
    expect((await g.listResourceTemplates()).resourceTemplates).toEqual((await direct.listResourceTemplates()).resourceTemplates);
    expect((await g.listPrompts()).prompts).toEqual((await direct.listPrompts()).prompts);
    const rows = await dbQuery<{ kind: string; name: string; status: string; change_flag: string | null }>(
      m.databaseUrl,
      `SELECT t.kind, t.name, t.status, t.change_flag FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = 'crm' AND t.kind <> 'tool' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { kind: "prompt", name: "customer_brief", status: "approved", change_flag: null },
      { kind: "resource", name: "crm://customers/{id}", status: "approved", change_flag: null },
    ]);
  });

  it("a pii resource read then send_email is denied by the lethal-trifecta rule; without the read it is allowed", async () => {
    const g = await gateway("crm", CRM);
    const email = { to: "someone@example.org", subject: "hi", body: "hello" };
    // Control: untrusted content only.
    await decide("res-control", "web", "fetch_url", { url: "https://example.org/" });
    expect((await decide("res-control", "mail", "send_email", email)).decision).toBe("allow");

    await decide("res-trifecta", "web", "fetch_url", { url: "https://example.org/" });
    const read = await g.readResource({ uri: "crm://customers/cus_1001", ...meta("res-trifecta") });
    expect(JSON.parse((read.contents[0] as { text: string }).text).id).toBe("cus_1001");
    const [session] = await dbQuery<{ labels: string[] }>(m.databaseUrl, `SELECT labels FROM sessions WHERE id = 'res-trifecta'`);
    expect(session.labels).toEqual(["pii", "untrusted_content"]);
    const d = await decide("res-trifecta", "mail", "send_email", email);
    expect(d.decision).toBe("deny");
    expect(d.reasons.map((r) => r.policy)).toContain("lethal-trifecta");

    const [entry] = await dbQuery<{ tool: string; outcome: string; data: { method: string; arguments: { uri: string } } }>(
      m.databaseUrl,
      `SELECT tool, outcome, data FROM audit_entries WHERE kind = 'decision' AND session_id = 'res-trifecta' AND step = 2`,
    );
    expect(entry).toMatchObject({
      tool: "crm/crm://customers/{id}",
      outcome: "allow",
      data: { method: "resources/read", arguments: { uri: "crm://customers/cus_1001" } },
    });
  });

  it("gets an approved prompt; a prompt no server lists is refused by Mandate", async () => {
    const g = await gateway("crm", CRM);
    const p = await g.getPrompt({ name: "customer_brief", arguments: { customer_id: "cus_1002" }, ...meta("res-prompt") });
    expect(JSON.stringify(p.messages)).toContain("crm://customers/cus_1002");
    const e = await refusal(g.getPrompt({ name: "no_such_prompt", ...meta("res-prompt") }));
    expect(e.code).toBe(-32003);
    expect(e.data.reasons?.[0].policy).toBe("mandate.prompt_unknown");
  });

  it("refuses a URI that normalisation would change instead of normalising it", async () => {
    const g = await gateway("crm", CRM);
    for (const uri of ["crm://customers/%63us_1001", "crm://customers/../customers/cus_1001", "crm://customers/cus_1001/notes"]) {
      const e = await refusal(g.readResource({ uri, ...meta("res-exact") }));
      expect(e.code, uri).toBe(-32003);
      expect(e.data.code).toBe("denied");
      expect(e.data.reasons?.[0].policy, uri).toBe(uri.endsWith("/notes") ? "mandate.resource_unknown" : "mandate.resource_uri_not_exact");
    }
  });

  it("passes a list's own _meta on to the server, never Mandate's keys", async () => {
    const g = await gateway("raw", [process.execPath, RAW_SERVER]);
    const page = await g.listResources({ _meta: { "mandate/session": "res-meta", "mandate/delegation_token": "x".repeat(20), other: 1 } });
    expect(page._meta).toEqual({ received: { other: 1 } });
  });

  it("an unapproved resource is neither listed nor readable until an admin approves it", async () => {
    const g = await gateway("everything", EVERYTHING_CMD);
    expect((await g.listResources()).resources).toEqual([]);
    expect((await g.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await g.listPrompts()).prompts).toEqual([]);
    const uri = "demo://resource/dynamic/text/7";
    const e = await refusal(g.readResource({ uri, ...meta("res-unapproved") }));
    expect(e.data.reasons?.[0].policy).toBe("mandate.resource_not_approved");
    const pending = await dbQuery<{ n: number }>(
      m.databaseUrl,
      `SELECT count(*)::int AS n FROM tools t JOIN tool_servers s ON s.id = t.server_id WHERE s.name = 'everything' AND t.kind = 'resource' AND t.status = 'pending'`,
    );
    expect(pending[0].n).toBeGreaterThanOrEqual(9); // 7 documents and 2 families, reported by the lists above

    await m.approveTool("everything", "demo://resource/dynamic/text/{resourceId}");
    const templates = (await g.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(["demo://resource/dynamic/text/{resourceId}"]);
    const read = await g.readResource({ uri, ...meta("res-unapproved") });
    expect(JSON.stringify(read.contents)).toContain("7");
    // Its sibling family is still pending.
    const blob = await refusal(g.readResource({ uri: "demo://resource/dynamic/blob/7", ...meta("res-unapproved") }));
    expect(blob.data.reasons?.[0].policy).toBe("mandate.resource_not_approved");
  });
});
