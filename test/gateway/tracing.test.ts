/**
 * OpenTelemetry traces across one real gateway call (docs/deploy.md, "Tracing"): an MCP client's W3C
 * trace context in `params._meta` → the gateway's span → its decision request (HTTP `traceparent`) →
 * Mandate's decision span and its stages → the forwarded call → the outcome, all received by a real
 * OTLP/HTTP receiver (test/support/otlp-receiver.ts; the exporters speak OTLP/JSON, `http/json`) with
 * one trace id and parents that chain. With traces off (the default), no `@opentelemetry/*` module is
 * loaded by the node or the gateway (a module resolve hook records every one) and nothing is sent.
 */
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { api, startMandate } from "../support/mandate.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";
import { ALLOW_ALL_POLICY, EVERYTHING, connectClient, dbQuery, gatewayStdioTransport, tempDir, text, waitFor } from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
const HOOK = join(import.meta.dirname, "fixtures/module-log.mjs");
const logDir = tempDir("otel-modules");
let receiver: OtlpReceiver;
let mandate: Mandate;
let apiKey: string;
const clients: Client[] = [];
/** The node's environment: mutated before its restart with traces off (startMandate keeps this object). */
const nodeEnv: Record<string, string> = {};

function tracingEnv(on: boolean, moduleLog: string): Record<string, string> {
  const always = { NODE_OPTIONS: `--import ${HOOK}`, MODULE_LOG: moduleLog, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  if (!on) return always;
  return {
    ...always,
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    // The production setting: a client's sampled context is followed whatever the ratio.
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "0.1",
    OTEL_BSP_SCHEDULE_DELAY: "200",
  };
}

const loaded = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

async function gateway(env: Record<string, string>): Promise<Client> {
  const client = await connectClient(
    gatewayStdioTransport({
      mandateUrl: mandate.url,
      apiKey,
      server: "everything",
      command: [process.execPath, EVERYTHING, "stdio"],
      spoolDir: tempDir("otel-spool"),
      env,
    }),
  );
  clients.push(client);
  return client;
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

async function decisionData(traceparentTraceId: string, message: string): Promise<{ decision_id: string; data: Record<string, unknown> }> {
  const rows = await dbQuery<{ decision_id: string; data: Record<string, unknown> }>(
    mandate.databaseUrl,
    `select decision_id, data from audit_entries where kind = 'decision' and data->'arguments'->>'message' = $1`,
    [message],
  );
  expect(rows, `the decision of ${traceparentTraceId}`).toHaveLength(1);
  return rows[0];
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(nodeEnv, tracingEnv(true, join(logDir, "node-on.log")));
  mandate = await startMandate({ env: nodeEnv });
  apiKey = (await mandate.createAgent("otel-test-agent")).apiKey;
  await mandate.publishPolicy(ALLOW_ALL_POLICY);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await mandate?.stop();
  await receiver?.close();
});

describe("OpenTelemetry traces", () => {
  it("one gateway call is one trace, from the client's traceparent to the outcome, every span linked", async () => {
    const client = await gateway(tracingEnv(true, join(logDir, "gateway-on.log")));
    await client.listTools(); // reports the inventory: echo can then be approved
    await mandate.approveTool("everything", "echo");
    const traceId = hex(16);
    const clientSpanId = hex(8);
    // Not sampled by the client: followed (parent-based), nothing recorded, no trace id kept.
    const unsampledTrace = hex(16);
    const quiet = await client.callTool({ name: "echo", arguments: { message: "not sampled" }, _meta: { traceparent: `00-${unsampledTrace}-${hex(8)}-00` } });
    expect(text(quiet)).toContain("not sampled");
    const r = await client.callTool({
      name: "echo",
      arguments: { message: "traced" },
      _meta: { traceparent: `00-${traceId}-${clientSpanId}-01`, tracestate: "test=1" },
    });
    expect(text(r)).toContain("traced");

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const names = [
      "tools/call echo",
      "POST /api/v1/decisions",
      "mandate.authenticate",
      "mandate.session",
      "mandate.cedar",
      "mandate.commit",
      "mandate.outcome",
    ];
    const spans = await waitFor(
      inTrace,
      (s) => names.every((n) => s.some((x) => x.name === n)) && s.filter((x) => x.name === "tools/call echo").length === 2,
      60_000,
      "the call's spans",
    );
    const one = (name: string, service: string, kind?: number): ReceivedSpan => {
      const found = spans.filter((s) => s.name === name && s.service === service && (kind === undefined || s.kind === kind));
      expect(found, `${service}: ${name}`).toHaveLength(1);
      return found[0];
    };
    // OTLP span kinds: 1 internal, 2 server, 3 client.
    const gw = one("tools/call echo", "mandate-gateway", 2);
    const decideClient = one("POST /api/v1/decisions", "mandate-gateway", 3);
    const decision = one("POST /api/v1/decisions", "mandate", 2);
    const upstream = one("tools/call echo", "mandate-gateway", 3);
    const outcome = one("mandate.outcome", "mandate-gateway");
    expect(gw.parentSpanId).toBe(clientSpanId);
    expect(decideClient.parentSpanId).toBe(gw.spanId);
    expect(decision.parentSpanId).toBe(decideClient.spanId);
    // The decision's stages (the gateway's other requests to Mandate, e.g. POST /api/v1/observations, are authenticated too).
    for (const stage of ["mandate.authenticate", "mandate.session", "mandate.cedar", "mandate.commit"])
      expect(
        spans.filter((s) => s.name === stage && s.parentSpanId === decision.spanId),
        stage,
      ).toHaveLength(1);
    expect(upstream.parentSpanId).toBe(gw.spanId);
    expect(outcome.parentSpanId).toBe(gw.spanId);

    // GenAI and Mandate attributes; the decision id and the trace id name each other.
    const { decision_id, data } = await decisionData(traceId, "traced");
    expect(gw.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "echo",
      "mandate.decision": "allow",
      "mandate.decision_id": decision_id,
      "mandate.policy_ids": ["allow-all"],
    });
    expect(decision.attributes).toMatchObject({
      "gen_ai.tool.name": "echo",
      "mandate.decision": "allow",
      "mandate.decision_id": decision_id,
      "mandate.agent": "otel-test-agent",
      "mandate.policy_ids": ["allow-all"],
      "http.response.status_code": 200,
    });
    expect(decision.attributes["mandate.session_id"]).toBe(gw.attributes["mandate.session_id"]);
    expect(upstream.attributes).toMatchObject({ "gen_ai.tool.name": "echo", "mandate.decision_id": decision_id });
    expect(data.trace_id).toBe(traceId);

    const quietDecision = await decisionData(unsampledTrace, "not sampled");
    expect(quietDecision.data.trace_id).toBeUndefined();
    expect(receiver.spans.filter((s) => s.traceId === unsampledTrace)).toEqual([]);
    // The positive control of the off test below: the hook sees the SDK where traces are on.
    for (const file of ["node-on.log", "gateway-on.log"]) expect(loaded(join(logDir, file)).some((l) => l.includes("/@opentelemetry/sdk-trace/"))).toBe(true);
  }, 120_000);

  it("the node decides sampling once per request: an unsampled one records nothing, a sampled one its whole linked trace", async () => {
    const inventory = await api(mandate.url, apiKey, "POST", "/api/v1/inventory", { server: "direct", tools: [{ name: "ping" }] });
    expect(inventory.status).toBe(200);
    await mandate.approveTool("direct", "ping");
    // One keep-alive connection: both requests reach the same process, whose spans are exported in the order they ended.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const decideWith = (traceparent: string, message: string) =>
      new Promise<{ status: number; body: { decision: string; decision_id: string } }>((resolve, reject) => {
        const body = JSON.stringify({ session: { id: `direct-${message}` }, tool: { server: "direct", name: "ping" }, arguments: { message } });
        const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json", traceparent };
        const req = request(`${mandate.url}/api/v1/decisions`, { method: "POST", agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
        });
        req.on("error", reject);
        req.end(body);
      });
    try {
      const quietTrace = hex(16);
      const quiet = await decideWith(`00-${quietTrace}-${hex(8)}-00`, "direct unsampled");
      const traceId = hex(16);
      const parentId = hex(8);
      const traced = await decideWith(`00-${traceId}-${parentId}-01`, "direct sampled");
      expect([quiet.status, quiet.body.decision, traced.status, traced.body.decision]).toEqual([200, "allow", 200, "allow"]);

      const stages = ["mandate.authenticate", "mandate.session", "mandate.cedar", "mandate.commit"];
      const spans = await waitFor(
        () => receiver.spans.filter((s) => s.traceId === traceId),
        (found) => ["POST /api/v1/decisions", ...stages].every((n) => found.some((x) => x.name === n)),
        60_000,
        "the sampled decision's spans",
      );
      expect(spans).toHaveLength(5);
      const server = spans.find((s) => s.name === "POST /api/v1/decisions")!;
      expect(server.parentSpanId).toBe(parentId);
      expect(server.attributes).toMatchObject({ "mandate.decision_id": traced.body.decision_id, "gen_ai.tool.name": "ping", "http.response.status_code": 200 });
      for (const stage of stages) expect(spans.find((s) => s.name === stage)?.parentSpanId, stage).toBe(server.spanId);
      expect((await decisionData(traceId, "direct sampled")).data.trace_id).toBe(traceId);
      // The unsampled request's spans, had it recorded any, ended before the sampled one's and left with or before them.
      expect(receiver.spans.filter((s) => s.traceId === quietTrace)).toEqual([]);
      expect((await decisionData(quietTrace, "direct unsampled")).data.trace_id).toBeUndefined();
    } finally {
      agent.destroy();
    }
  }, 60_000);

  it("with traces off (the default) no OpenTelemetry module is loaded and nothing is sent", async () => {
    Object.assign(nodeEnv, tracingEnv(false, join(logDir, "node-off.log")));
    for (const k of Object.keys(nodeEnv)) if (k.startsWith("OTEL_") && k !== "OTEL_EXPORTER_OTLP_ENDPOINT") delete nodeEnv[k];
    await mandate.restart(); // the traced node flushed its spans as it stopped
    const sentBefore = receiver.requests.length;
    const client = await gateway(tracingEnv(false, join(logDir, "gateway-off.log")));
    const traceId = hex(16);
    const r = await client.callTool({ name: "echo", arguments: { message: "untraced" }, _meta: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    expect(text(r)).toContain("untraced");
    const { decision_id, data } = await decisionData(traceId, "untraced");
    expect(data.trace_id).toBeUndefined();
    // Wait until the outcome was reported (the last thing the call does), then for an exporter's delay.
    await waitFor(
      () => dbQuery(mandate.databaseUrl, "select 1 from outcome_events where decision_id = $1", [decision_id]),
      (rows) => rows.length === 1,
      30_000,
      "the outcome event",
    );
    // A gateway exports what it holds as it stops (it would, were traces on): stop it, then look.
    await client.close();
    await new Promise((res) => setTimeout(res, 1_000));
    expect(receiver.requests.slice(sentBefore)).toEqual([]);
    expect(loaded(join(logDir, "node-off.log"))).toEqual([]);
    expect(loaded(join(logDir, "gateway-off.log"))).toEqual([]);
  }, 180_000);
});
