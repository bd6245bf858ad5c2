import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, LATEST_PROTOCOL_VERSION, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { NodeStreamableHttpTransport } from "./http-transport.ts";

/** A real node:http server with one MCP Server per session on the transport under test. */
let server: http.Server;
let url: string;

beforeAll(async () => {
  const sessions = new Map<string, NodeStreamableHttpTransport>();
  let last: NodeStreamableHttpTransport | undefined;
  server = http.createServer((req, res) => {
    // A request without a session id gets a fresh transport; one with an unknown id goes to the latest
    // initialized transport, so that the transport's own session check answers it.
    const sid = req.headers["mcp-session-id"];
    let t = typeof sid === "string" ? (sessions.get(sid) ?? last) : undefined;
    if (!t) {
      const fresh = new NodeStreamableHttpTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          sessions.set(id, fresh);
          last = fresh;
        },
        maxBodyBytes: 64 * 1024,
        sseAfterMs: 100,
        keepAliveMs: 20,
      });
      const s = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
      s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }));
      s.setRequestHandler(CallToolRequestSchema, async (r, extra) => {
        const token = r.params._meta?.progressToken;
        if (r.params.name === "progress" && token !== undefined)
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: 1, total: 2 } });
        if (r.params.name === "slow") await new Promise((ok) => setTimeout(ok, 250));
        return { content: [{ type: "text", text: `done: ${r.params.name}` }] };
      });
      void s.connect(fresh);
      t = fresh;
    }
    void t.handleRequest(req, res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

const ACCEPT = "application/json, text/event-stream";
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { accept: ACCEPT, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function openSession(): Promise<Record<string, string>> {
  const init = await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  expect(init.status).toBe(200);
  expect(init.headers.get("content-type")).toBe("application/json");
  expect((await init.json()).result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  const h = { "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": LATEST_PROTOCOL_VERSION };
  expect((await post({ jsonrpc: "2.0", method: "notifications/initialized" }, h)).status).toBe(202);
  return h;
}

const call = (id: number, name: string, meta?: object) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) },
});

/** The JSON-RPC messages of an SSE body, in order. */
const events = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)));

describe("NodeStreamableHttpTransport", () => {
  it("answers a request whose answer comes first with one JSON body", async () => {
    const h = await openSession();
    const res = await post(call(1, "fast"), h);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("mcp-session-id")).toBe(h["mcp-session-id"]);
    // Sized, not chunked.
    expect(res.headers.get("transfer-encoding")).toBeNull();
    const text = await res.text();
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "done: fast" }] } });
  });

  it("turns the answer into an SSE stream when a related message comes first", async () => {
    const h = await openSession();
    const res = await post(call(2, "progress", { progressToken: "p1" }), h);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const msgs = events(await res.text());
    expect(msgs.map((m) => m.method ?? `answer ${m.id}`)).toEqual(["notifications/progress", "answer 2"]);
    expect(msgs[0].params).toMatchObject({ progressToken: "p1", progress: 1 });
  });

  it("turns a slow answer into an SSE stream with keep-alive comments", async () => {
    const h = await openSession();
    const res = await post(call(3, "slow"), h);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    expect(text).toContain(": keepalive\n\n");
    expect(events(text)).toEqual([{ jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "done: slow" }] } }]);
  });

  it("answers a batch with an array, in request order", async () => {
    const h = await openSession();
    const res = await post([call(5, "slow"), call(4, "fast")], h);
    expect(res.headers.get("content-type")).toBe("text/event-stream"); // the slow one outlasts sseAfterMs
    expect(events(await res.text()).map((m) => m.id)).toEqual([4, 5]);
    const quick = await post([call(6, "fast"), call(7, "fast")], h);
    expect(quick.headers.get("content-type")).toBe("application/json");
    expect(((await quick.json()) as Array<{ id: number }>).map((m) => m.id)).toEqual([6, 7]);
  });

  it("works with the SDK's client, progress notifications included", async () => {
    const client = new Client({ name: "sdk", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const progress: number[] = [];
    const r = await client.callTool({ name: "progress", arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(r.content).toEqual([{ type: "text", text: "done: progress" }]);
    expect(progress).toEqual([1]);
    expect((await client.callTool({ name: "fast", arguments: {} })).content).toEqual([{ type: "text", text: "done: fast" }]);
    await client.close();
  });

  it("refuses bad requests with the specific status and a JSON-RPC error", async () => {
    const h = await openSession();
    const cases: Array<[() => Promise<Response>, number, number]> = [
      [() => post(call(1, "fast"), { ...h, accept: "application/json" }), 406, -32000],
      [() => post(call(1, "fast"), { ...h, "content-type": "text/plain" }), 415, -32000],
      [() => post("{not json", h), 400, -32700],
      [() => post({ jsonrpc: "1.0", id: 1 }, h), 400, -32700],
      [() => post(call(1, "fast"), { "mcp-protocol-version": LATEST_PROTOCOL_VERSION }), 400, -32000],
      [() => post(call(1, "fast"), { ...h, "mcp-session-id": "someone-else" }), 404, -32001],
      [() => post(call(1, "fast"), { ...h, "mcp-protocol-version": "1999-01-01" }), 400, -32000],
      [
        () =>
          post(
            Array.from({ length: 101 }, (_, i) => call(i, "fast")),
            h,
          ),
        400,
        -32600,
      ],
      [() => post(JSON.stringify({ pad: "x".repeat(70 * 1024) }), h), 413, -32000],
      [() => fetch(url, { method: "PUT", headers: h }), 405, -32000],
      [() => fetch(url, { method: "GET", headers: { ...h, accept: "application/json" } }), 406, -32000],
    ];
    for (const [send, status, code] of cases) {
      const res = await send();
      expect(res.status).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    }
    // The session still works after all of that.
    expect((await post(call(9, "fast"), h)).status).toBe(200);
  });

  it("keeps one standalone SSE stream per session, and ends the session on DELETE", async () => {
    const h = await openSession();
    const first = await fetch(url, { headers: { ...h, accept: "text/event-stream" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/event-stream");
    const second = await fetch(url, { headers: { ...h, accept: "text/event-stream" } });
    expect(second.status).toBe(409);
    expect((await fetch(url, { method: "DELETE", headers: h })).status).toBe(200);
    await first.text(); // ended by the DELETE
    const after = await post(call(1, "fast"), h);
    expect(after.status).toBe(404);
  });
});
