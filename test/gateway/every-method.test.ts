/**
 * Every MCP method is decided (issue 15 §1): initialize, logging/setLevel, completion/complete and
 * tasks/* from the client, and the requests a server sends to the client (sampling/createMessage,
 * elicitation/create, roots/list), through the real gateway in front of the real server-everything.
 * Each is a decision in the audit log with its method; a forbid policy refuses it with a JSON-RPC error
 * whose `data` is the `mandate/error` object, and a refused server request never reaches the client.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CreateMessageRequestSchema, McpError, ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_MCP_POLICY } from "../../lib/policy/default-policy.ts";
import { startMandate } from "../support/mandate.ts";
import {
  ALLOW_ALL_POLICY,
  EVERYTHING,
  GATEWAY_BIN,
  INIT_PARAMS,
  RawStdioClient,
  connectClient,
  dbQuery,
  directStdioTransport,
  gatewayStdioTransport,
  rawHttpPost,
  startGatewayHttp,
  tempDir,
  waitFor,
} from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
const spoolDir = tempDir("every-method-spool");
const toClose: Array<{ close(): Promise<void> }> = [];
const CMD = [process.execPath, EVERYTHING, "stdio"];

beforeAll(async () => {
  mandate = await startMandate();
});

afterAll(async () => {
  await Promise.all(toClose.map((c) => c.close().catch(() => {})));
  await mandate?.stop();
});

async function viaGateway(apiKey: string): Promise<Client> {
  const c = await connectClient(gatewayStdioTransport({ mandateUrl: mandate.url, apiKey, server: "everything", command: CMD, spoolDir }));
  toClose.push(c);
  return c;
}

/** The decisions recorded for an agent: method, target and outcome, in order. */
async function decisions(agent: string): Promise<Array<{ method: string; tool: string; outcome: string; policies: string[] }>> {
  const rows = await dbQuery<{ tool: string; outcome: string; data: { method?: string; reasons: Array<{ policy: string }> } }>(
    mandate.databaseUrl,
    `SELECT tool, outcome, data FROM audit_entries WHERE kind = 'decision' AND data->'agent'->>'name' = $1 ORDER BY created_at, step`,
    [agent],
  );
  return rows.map((r) => ({ method: r.data.method ?? "tools/call", tool: r.tool, outcome: r.outcome, policies: r.data.reasons.map((x) => x.policy) }));
}

async function refusal(p: Promise<unknown>): Promise<McpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(McpError);
  return e as McpError;
}

/** Reports and approves everything server-everything lists (tools, resources, templates, prompts). */
async function approveEverything(g: Client): Promise<void> {
  const d = await connectClient(directStdioTransport(CMD));
  try {
    await g.listTools();
    await g.listResources();
    await g.listResourceTemplates();
    await g.listPrompts();
    for (const t of (await d.listTools()).tools) await mandate.approveTool("everything", t.name);
    for (const r of (await d.listResources()).resources) await mandate.approveTool("everything", r.uri);
    for (const t of (await d.listResourceTemplates()).resourceTemplates) await mandate.approveTool("everything", t.uriTemplate);
    for (const p of (await d.listPrompts()).prompts) await mandate.approveTool("everything", `prompt:${p.name}`);
  } finally {
    await d.close();
  }
}

describe("every MCP method is decided (default policy)", () => {
  it("initialize on a new server is allowed; server methods wait for an approved item; then each method is a decision", async () => {
    await mandate.publishPolicy(DEFAULT_MCP_POLICY);
    const { apiKey } = await mandate.createAgent("every-method-default");
    const g = await viaGateway(apiKey); // initialize: the server was unknown, announced, then decided
    // No approved item yet: the server is "pending", logging/setLevel has no permit.
    const pending = await refusal(g.setLoggingLevel("debug"));
    expect(pending.code).toBe(-32003);
    expect(pending.data).toMatchObject({ code: "denied", reasons: [{ policy: "mandate.default_deny" }] });

    // server-everything asks for the client's roots 350 ms after initialize: wait for that decision
    // (made while nothing of the server is approved) before approving anything.
    await waitFor(
      () => decisions("every-method-default"),
      (d) => d.some((x) => x.method === "roots/list"),
      20_000,
      "the server's roots/list",
    );
    await approveEverything(g);
    await g.setLoggingLevel("debug");
    const completion = await g.complete({ ref: { type: "ref/prompt", name: "completable-prompt" }, argument: { name: "department", value: "E" } });
    expect(completion.completion.values).toContain("Engineering");
    const sampled = await g.callTool({ name: "trigger-sampling-request", arguments: { prompt: "say hi", maxTokens: 10 } });
    expect(JSON.stringify(sampled)).toContain("sampled:");
    expect(JSON.stringify(await g.callTool({ name: "trigger-elicitation-request", arguments: {} }))).toContain("Ada");
    expect(JSON.stringify(await g.callTool({ name: "get-roots-list", arguments: {} }))).toContain("test-root");
    // tasks/list is decided, then passed on (server-everything's own answer comes back, whatever it is).
    await g.request({ method: "tasks/list" }, ResultSchema).catch((e: unknown) => expect(e).toBeInstanceOf(McpError));

    const got = await decisions("every-method-default");
    const first = (method: string) => got.find((x) => x.method === method);
    expect(first("initialize")).toMatchObject({ tool: "everything", outcome: "allow", policies: ["mandate.initialize"] });
    expect(got.filter((x) => x.method === "logging/setLevel").map((x) => x.outcome)).toEqual(["deny", "allow"]);
    expect(first("completion/complete")).toMatchObject({ tool: "everything/prompt:completable-prompt", outcome: "allow" });
    const last = (method: string) => got.filter((x) => x.method === method).at(-1);
    for (const m of ["sampling/createMessage", "elicitation/create", "roots/list", "tasks/list"]) {
      expect(last(m), m).toMatchObject({ tool: "everything", outcome: "allow", policies: ["allow-approved-server-methods"] });
    }
    // That first roots/list came while nothing of the server was approved: refused (it never reached the client).
    expect(first("roots/list")).toMatchObject({ outcome: "deny", policies: ["mandate.default_deny"] });
  });
});

describe("a forbid policy refuses a server-level method", () => {
  it("logging/setLevel and sampling/createMessage forbidden: refused with mandate/error; the sampling never reaches the client", async () => {
    const { apiKey } = await mandate.createAgent("every-method-forbid");
    await mandate.publishPolicy(`${ALLOW_ALL_POLICY}
@id("no-logging")
@reason("no log level changes")
forbid (principal, action == Action::"logging/setLevel", resource);

@id("no-sampling")
@reason("servers may not use the agent's model")
forbid (principal, action == Action::"sampling/createMessage", resource);
`);
    const g = await viaGateway(apiKey);
    let sampledByClient = 0;
    g.setRequestHandler(CreateMessageRequestSchema, async () => {
      sampledByClient++;
      return { model: "m", role: "assistant", content: { type: "text", text: "should not happen" } };
    });
    const logging = await refusal(g.setLoggingLevel("debug"));
    expect(logging.code).toBe(-32003);
    expect(logging.data).toMatchObject({ code: "denied", policies: ["no-logging"] });
    expect(logging.message).toContain("no log level changes");

    const sampling = await g
      .callTool({ name: "trigger-sampling-request", arguments: { prompt: "say hi", maxTokens: 10 } })
      .then(JSON.stringify, (e: Error) => e.message);
    expect(sampling).toContain("servers may not use the agent's model");
    expect(sampledByClient).toBe(0);
    // Other server requests still pass.
    expect(JSON.stringify(await g.callTool({ name: "get-roots-list", arguments: {} }))).toContain("test-root");

    const got = await decisions("every-method-forbid");
    expect(got.find((x) => x.method === "logging/setLevel")).toMatchObject({ outcome: "deny", policies: ["no-logging"] });
    expect(got.find((x) => x.method === "sampling/createMessage")).toMatchObject({ outcome: "deny", policies: ["no-sampling"] });
  });

  it("initialize forbidden for an agent: refused before the server is started, with mandate/error as data", async () => {
    const { apiKey } = await mandate.createAgent("every-method-no-init");
    await mandate.publishPolicy(`${ALLOW_ALL_POLICY}
@id("no-init")
@reason("this agent may not use server-everything")
forbid (principal == Agent::"every-method-no-init", action == Action::"initialize", resource == Server::"everything");
`);
    const gw = RawStdioClient.spawn(process.execPath, [GATEWAY_BIN, "stdio", "--server", "everything", "--spool-dir", spoolDir, "--", ...CMD], {
      MANDATE_URL: mandate.url,
      MANDATE_API_KEY: apiKey,
    });
    toClose.push(gw);
    const { response } = await gw.request("initialize", INIT_PARAMS);
    expect(response.result).toBeUndefined();
    expect(response.error.code).toBe(-32003);
    expect(response.error.data).toMatchObject({ code: "denied", policies: ["no-init"] });
    // Not initialized: nothing else is relayed.
    expect((await gw.request("tools/list")).response.error.message).toMatch(/not initialized/);
    expect(await decisions("every-method-no-init")).toEqual([{ method: "initialize", tool: "everything", outcome: "deny", policies: ["no-init"] }]);
  });

  it("HTTP mode: initialize refused for every server is an error with mandate/error, and the session does not keep its slot", async () => {
    const gw = await startGatewayHttp({
      mandate: { url: mandate.url },
      events: { spoolDir },
      servers: { everything: { command: process.execPath, args: [EVERYTHING, "stdio"] } },
    });
    toClose.push({ close: gw.stop });
    const { apiKey } = await mandate.createAgent("every-method-no-init-http");
    await mandate.publishPolicy(`${ALLOW_ALL_POLICY}
@id("no-init-http")
forbid (principal == Agent::"every-method-no-init-http", action == Action::"initialize", resource);
`);
    const init = await rawHttpPost(gw.url, { jsonrpc: "2.0", id: 0, method: "initialize", params: INIT_PARAMS }, { authorization: `Bearer ${apiKey}` });
    expect(init.messages[0].error).toMatchObject({ code: -32003, data: { code: "denied", policies: ["no-init-http"] } });
    const health = `${new URL(gw.url).origin}/healthz`;
    await waitFor(
      async () => ((await (await fetch(health)).json()) as { sessions: number }).sessions,
      (n) => n === 0,
      20_000,
      "the refused session to close",
    );
  });
});

describe("a sampling request is inspected like a result (issue 15 §2)", () => {
  /** The connection's own session (where the server's requests are decided) and its observed labels now. */
  async function samplingSession(agent: string): Promise<{ id: string; decisionId: string; observed: string[] }> {
    const [d] = await dbQuery<{ session_id: string; decision_id: string }>(
      mandate.databaseUrl,
      `SELECT session_id, decision_id FROM audit_entries WHERE kind = 'decision' AND data->'agent'->>'name' = $1
          AND data->>'method' = 'sampling/createMessage' ORDER BY created_at DESC LIMIT 1`,
      [agent],
    );
    const [s] = await dbQuery<{ observed_labels: string[] }>(mandate.databaseUrl, `SELECT observed_labels FROM sessions WHERE id = $1`, [d.session_id]);
    return { id: d.session_id, decisionId: d.decision_id, observed: s.observed_labels };
  }

  /** Triggers a sampling request holding an email address; returns the session as the client's handler saw it. */
  async function sampleWithEmail(agent: string, beforeSampling: () => Promise<void> = async () => {}) {
    const { apiKey } = await mandate.createAgent(agent);
    const g = await viaGateway(apiKey);
    await g.listTools(); // reported; the one tool used is approved (the server then has an approved item)
    await mandate.approveTool("everything", "trigger-sampling-request");
    await beforeSampling();
    let seen: Awaited<ReturnType<typeof samplingSession>> | undefined;
    g.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      expect(JSON.stringify(req.params.messages)).toContain("ada.lovelace@example.com"); // passed on unchanged
      seen = await samplingSession(agent); // what the session held when the request reached the client
      return { model: "m", role: "assistant", content: { type: "text", text: "done" } };
    });
    const r = await g.callTool({ name: "trigger-sampling-request", arguments: { prompt: "Write to ada.lovelace@example.com", maxTokens: 10 } });
    expect(r.isError).toBeFalsy();
    expect(seen, "the client was asked to sample").toBeDefined();
    return seen!;
  }

  it("an email address in the request's messages gives the session pii, committed before the client sees the request", async () => {
    await mandate.publishPolicy(ALLOW_ALL_POLICY);
    const seen = await sampleWithEmail("sampling-labels");
    expect(seen.observed).toEqual(["pii"]);
    const [entry] = await dbQuery<{ step: number; tool: string; data: unknown }>(
      mandate.databaseUrl,
      `SELECT step, tool, data FROM audit_entries WHERE action = 'outcome.labels_observed' AND decision_id = $1`,
      [seen.decisionId],
    );
    // Provenance: the sampling decision (its step and method), the detector and a count, never the address.
    expect(entry).toMatchObject({
      tool: "everything",
      data: { added: ["pii"], provenance: [{ label: "pii", source: "detector", detector: "email", count: 1 }] },
    });
    expect(JSON.stringify(entry)).not.toContain("ada.lovelace");
    const [decision] = await dbQuery<{ step: number }>(mandate.databaseUrl, `SELECT step FROM audit_entries WHERE kind = 'decision' AND decision_id = $1`, [
      seen.decisionId,
    ]);
    expect(entry.step).toBe(decision.step);
  });

  it("detectors turned off for the server are skipped in its sampling requests", async () => {
    const put = (detectors_off: string[]) =>
      fetch(`${mandate.url}/api/v1/servers/everything/detectors`, {
        method: "PUT",
        headers: { authorization: `Bearer ${mandate.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ detectors_off }),
      });
    try {
      // (Set once the gateway has made the server known: initialize announces it.)
      const seen = await sampleWithEmail("sampling-detectors-off", async () => expect((await put(["pii"])).status).toBe(200));
      expect(seen.observed).toEqual([]);
      const rows = await dbQuery(mandate.databaseUrl, `SELECT 1 FROM audit_entries WHERE action = 'outcome.labels_observed' AND session_id = $1`, [seen.id]);
      expect(rows).toEqual([]);
    } finally {
      expect((await put([])).status).toBe(200);
    }
  });

  it("Mandate unable to record the labels: the request is refused with -32003 request_withheld and never reaches the client", async () => {
    // The real Mandate behind a proxy that answers 503 to POST /api/v1/observations only (fail closed).
    const target = new URL(mandate.url);
    const proxy: Server = createServer((req, res) => {
      if (req.url?.startsWith("/api/v1/observations")) {
        req.resume();
        res.writeHead(503, { "content-type": "application/problem+json" }).end(JSON.stringify({ title: "unavailable", status: 503 }));
        return;
      }
      const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    toClose.push({ close: () => new Promise<void>((r) => proxy.close(() => r())) });
    const { apiKey } = await mandate.createAgent("sampling-withheld");
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const g = await connectClient(gatewayStdioTransport({ mandateUrl: url, apiKey, server: "everything", command: CMD, spoolDir }));
    toClose.push(g);
    await g.listTools();
    await mandate.approveTool("everything", "trigger-sampling-request");
    let sampledByClient = 0;
    g.setRequestHandler(CreateMessageRequestSchema, async () => {
      sampledByClient++;
      return { model: "m", role: "assistant", content: { type: "text", text: "should not happen" } };
    });
    const outcome = await g
      .callTool({ name: "trigger-sampling-request", arguments: { prompt: "Write to ada.lovelace@example.com", maxTokens: 10 } })
      .then(JSON.stringify, (e: Error) => e.message);
    expect(outcome).toContain("was refused and not passed to the client: it holds data labelled pii");
    expect(sampledByClient).toBe(0);
  });
});
