/**
 * The gateway's Streamable HTTP mode in front of several upstreams (stdio and HTTP): namespaced names,
 * one identity per client credential, and an upstream that crashes or hangs does not take the others down.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startMandate } from "../support/mandate.ts";
import {
  ALLOW_ALL_POLICY,
  EVERYTHING,
  FILESYSTEM,
  MEMORY,
  connectClient,
  dbQuery,
  gatewayErrorCode,
  httpTransport,
  startEverythingHttp,
  startGatewayHttp,
  tempDir,
  text,
} from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
let alice: { id: string; apiKey: string };
let bob: { id: string; apiKey: string };
let gw: Awaited<ReturnType<typeof startGatewayHttp>>;
let upstreamHttp: Awaited<ReturnType<typeof startEverythingHttp>>;
const clients: Client[] = [];
const files = tempDir("http-files");

async function connect(apiKey: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = httpTransport(gw.url, apiKey);
  const client = await connectClient(transport);
  clients.push(client);
  return { client, transport };
}

/** The upstream processes the gateway started, with their command lines. */
function upstreamProcesses(): Array<{ pid: number; args: string }> {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(gw.child.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.split(/\s+/, 1)[0]), args: l.slice(l.indexOf(" ") + 1) }));
}

beforeAll(async () => {
  mandate = await startMandate();
  alice = await mandate.createAgent("gateway-http-alice");
  bob = await mandate.createAgent("gateway-http-bob");
  await mandate.publishPolicy(ALLOW_ALL_POLICY);
  upstreamHttp = await startEverythingHttp();
  gw = await startGatewayHttp({
    mandate: { url: mandate.url },
    upstreamTimeoutMs: 3000,
    events: { spoolDir: tempDir("http-spool") },
    servers: {
      fs: { command: process.execPath, args: [FILESYSTEM, files] },
      memory: { command: process.execPath, args: [MEMORY], env: { MEMORY_FILE_PATH: join(tempDir("mem"), "m.jsonl") } },
      everything: { command: process.execPath, args: [EVERYTHING, "stdio"] },
      evhttp: { url: upstreamHttp.url },
    },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await gw?.stop();
  await upstreamHttp?.stop();
  await mandate?.stop();
});

describe("gateway, Streamable HTTP mode", () => {
  it("refuses a client without its own credential (401 with WWW-Authenticate)", async () => {
    const res = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
      }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await res.json()).detail).toMatch(/Authorization: Bearer/);
  });

  it("serves every upstream under unambiguous, client-acceptable names", async () => {
    const { client } = await connect(alice.apiKey);
    await client.listTools(); // reports all four servers' tools
    for (const [server, tool] of [
      ["fs", "list_allowed_directories"],
      ["memory", "read_graph"],
      ["everything", "echo"],
      ["evhttp", "echo"],
    ] as const)
      await mandate.approveTool(server, tool);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(["everything__echo", "evhttp__echo", "fs__list_allowed_directories", "memory__read_graph"]);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(text(await client.callTool({ name: "everything__echo", arguments: { message: "a" } }))).toBe("Echo: a");
    expect(text(await client.callTool({ name: "evhttp__echo", arguments: { message: "b" } }))).toBe("Echo: b");
    expect(text(await client.callTool({ name: "fs__list_allowed_directories", arguments: {} }))).toContain(files);
  });

  it("gives each client its own agent identity, and binds a session to its credential", async () => {
    const a = await connect(alice.apiKey);
    const b = await connect(bob.apiKey);
    const sa = `http-alice-${randomUUID()}`;
    const sb = `http-bob-${randomUUID()}`;
    await a.client.callTool({ name: "everything__echo", arguments: { message: "x" }, _meta: { "mandate/session": sa } });
    await b.client.callTool({ name: "everything__echo", arguments: { message: "y" }, _meta: { "mandate/session": sb } });
    const rows = await dbQuery<{ id: string; agent_id: string }>(mandate.databaseUrl, "select id, agent_id from sessions where id = any($1)", [[sa, sb]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.agent_id]))).toEqual({ [sa]: alice.id, [sb]: bob.id });

    // Bob's key on Alice's session is refused.
    const res = await fetch(gw.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${bob.apiKey}`,
        "mcp-session-id": a.transport.sessionId!,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(res.status).toBe(403);
  });

  it("reports a crashed upstream as an error and keeps serving the others", async () => {
    const { client } = await connect(alice.apiKey);
    await client.listTools();
    const before = new Set(upstreamProcesses().map((p) => p.pid));
    expect(before.size).toBeGreaterThanOrEqual(3);
    // This session's memory server is the newest one.
    const memory = upstreamProcesses()
      .filter((p) => p.args.includes("server-memory"))
      .at(-1)!;
    process.kill(memory.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const res = await client.callTool({ name: "memory__read_graph", arguments: {} });
    expect(res.isError).toBe(true);
    expect(gatewayErrorCode(res)).toBe("upstream_unavailable");
    expect(text(res)).toContain('"memory"');
    expect(text(await client.callTool({ name: "everything__echo", arguments: { message: "still here" } }))).toBe("Echo: still here");
    expect(text(await client.callTool({ name: "evhttp__echo", arguments: { message: "and here" } }))).toBe("Echo: and here");
  });

  it("reports a hung upstream as an error after the configured timeout and keeps serving the others", async () => {
    const { client } = await connect(alice.apiKey);
    await client.listTools();
    const everything = upstreamProcesses()
      .filter((p) => p.args.includes("server-everything"))
      .at(-1)!;
    process.kill(everything.pid, "SIGSTOP");
    try {
      const t0 = Date.now();
      const res = await client.callTool({ name: "everything__echo", arguments: { message: "hang" } });
      expect(res.isError).toBe(true);
      expect(gatewayErrorCode(res)).toBe("upstream_unavailable");
      expect(text(res)).toMatch(/timed out/i);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
      expect(text(await client.callTool({ name: "fs__list_allowed_directories", arguments: {} }))).toContain(files);
    } finally {
      process.kill(everything.pid, "SIGCONT");
    }
  });
});
