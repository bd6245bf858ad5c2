/**
 * Shared fixtures of the gateway integration tests: the real reference MCP servers from npm, the
 * gateway started as a real process (stdio or Streamable HTTP), an SDK client with deterministic
 * handlers for the server-to-client requests, and direct database reads of what Mandate recorded.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { abortIsolatingFetch } from "../../gateway/isolating-fetch.ts";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const root = resolve(import.meta.dirname, "../..");
const mcp = (pkg: string) => join(root, "node_modules/@modelcontextprotocol", pkg, "dist/index.js");
export const EVERYTHING = mcp("server-everything");
export const MEMORY = mcp("server-memory");
export const FILESYSTEM = mcp("server-filesystem");
export const GATEWAY_BIN = join(root, "bin/mandate-gateway.mjs");

export const ALLOW_ALL_POLICY = `@id("allow-all")
@reason("test policy: every approved tool is allowed")
permit (principal, action, resource);
`;

export const APPROVAL_GATE_POLICY = `${ALLOW_ALL_POLICY}
@id("memory-create-needs-approval")
@approval("required")
@reason("creating memory entities needs a human approval")
forbid (principal, action == Action::"tools/call", resource)
when { resource == Tool::"memory/create_entities" }
unless { context.approval.granted };
`;

export interface MandateLike {
  url: string;
  databaseUrl: string;
  adminToken: string;
  approveTool(server: string, tool: string): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mandate-gw-${prefix}-`));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value, null, 2));
  return p;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** The client side of every test: answers sampling, elicitation and roots deterministically. */
export async function connectClient(transport: Transport): Promise<Client> {
  const client = new Client(
    { name: "gateway-test-client", version: "1.0.0" },
    { capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: { form: {} } } },
  );
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///tmp/test-root", name: "test-root" }] }));
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
    model: "test-model",
    role: "assistant",
    content: { type: "text", text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}` },
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: "accept",
    content: {
      name: "Ada",
      check: true,
      firstLine: "x",
      email: "ada@example.com",
      homepage: "https://example.com",
      birthdate: "1815-12-10",
      integer: 5,
      number: 3,
      untitledSingleSelectEnum: "option1",
      titledSingleSelectEnum: "value1",
      legacyTitledEnum: "opt1",
      untitledMultipleSelectEnum: ["option1"],
      titledMultipleSelectEnum: ["value1"],
    },
  }));
  await client.connect(transport);
  return client;
}

export function gatewayStdioTransport(opts: {
  mandateUrl: string;
  apiKey: string;
  server: string;
  command: string[];
  spoolDir: string;
  configPath?: string;
  env?: Record<string, string>;
  /** Another checkout whose gateway to run, from its own directory (`npm run bench:gateway -- --base`); default this one. */
  root?: string;
}): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [
      opts.root ? join(opts.root, "bin/mandate-gateway.mjs") : GATEWAY_BIN,
      "stdio",
      "--server",
      opts.server,
      "--spool-dir",
      opts.spoolDir,
      ...(opts.configPath ? ["--config", opts.configPath] : []),
      "--",
      ...opts.command,
    ],
    env: { ...getDefaultEnvironment(), MANDATE_URL: opts.mandateUrl, MANDATE_API_KEY: opts.apiKey, ...opts.env },
    stderr: "pipe",
    ...(opts.root ? { cwd: opts.root } : {}),
  });
}

export function directStdioTransport(command: string[], env: Record<string, string> = {}): StdioClientTransport {
  return new StdioClientTransport({ command: command[0], args: command.slice(1), env: { ...getDefaultEnvironment(), ...env }, stderr: "pipe" });
}

export function httpTransport(url: string, apiKey?: string): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url), {
    requestInit: apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {},
    // the SDK shares one AbortSignal across requests; see gateway/isolating-fetch.ts
    fetch: abortIsolatingFetch(),
  });
}

/** Starts a process and resolves once a line of its output matches `ready`. */
export async function startProcess(
  command: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; ready: RegExp; timeoutMs?: number },
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(command, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const match = await new Promise<RegExpMatchArray>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${command} ${args.join(" ")} not ready:\n${out}`)), opts.timeoutMs ?? 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(opts.ready);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => rej(new Error(`${command} exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    child,
    match,
    output: () => out,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

export async function startGatewayHttp(config: unknown, env: Record<string, string | undefined> = {}) {
  const dir = tempDir("http-config");
  const path = writeJson(dir, "gateway.json", config);
  const p = await startProcess(process.execPath, [GATEWAY_BIN, "http", "--listen", "127.0.0.1:0", "--config", path], {
    env: { MANDATE_API_KEY: undefined, ...env },
    ready: /listening on (http:\/\/\S+)/,
  });
  return { ...p, url: p.match[1] };
}

export async function startEverythingHttp() {
  const port = await freePort();
  const p = await startProcess(process.execPath, [EVERYTHING, "streamableHttp"], {
    env: { PORT: String(port) },
    ready: /listening on port/,
  });
  return { ...p, url: `http://127.0.0.1:${port}/mcp` };
}

/** Pids of the children of a process (the upstream servers a gateway started). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

export async function dbQuery<T extends pg.QueryResultRow>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/**
 * Outcome events of tool calls. (Server-initiated requests are decided and reported too: server-everything
 * asks each new session for its roots, whose outcome is not a tool call's.)
 */
export async function countOutcomeEvents(m: MandateLike): Promise<number> {
  const rows = await dbQuery<{ n: string }>(
    m.databaseUrl,
    `select count(*)::text as n from outcome_events o
      where exists (select 1 from audit_entries a where a.kind = 'decision' and a.decision_id = o.decision_id
                      and coalesce(a.data->>'method', 'tools/call') = 'tools/call')`,
  );
  return Number(rows[0].n);
}

export async function waitFor<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}

export async function approveApproval(m: MandateLike, approvalId: string): Promise<void> {
  const res = await fetch(`${m.url}/api/v1/approvals/${approvalId}/decision`, {
    method: "POST",
    headers: { authorization: `Bearer ${m.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ decision: "approve" }),
  });
  if (!res.ok) throw new Error(`approving ${approvalId}: ${res.status} ${await res.text()}`);
}

export function text(result: unknown): string {
  const r = result as CallToolResult;
  return (r.content ?? []).map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n");
}

export function gatewayErrorCode(result: unknown): string | undefined {
  const meta = (result as { _meta?: Record<string, { code?: string }> })._meta;
  return meta?.["mandate/error"]?.code;
}

/** Lists the tools through `client` (which reports them to the inventory) and approves them all. */
export async function approveAll(m: MandateLike, server: string, names: string[]): Promise<void> {
  for (const n of names) await m.approveTool(server, n);
}

export const RAW_SERVER = join(root, "test/gateway/fixtures/raw-server.mjs");

export type RawMessage = { jsonrpc: "2.0"; id?: number | string; method?: string; params?: any; result?: any; error?: any };
export const INIT_PARAMS = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw-test-client", version: "1" } };

/**
 * A JSON-RPC client over a child process's stdio without the SDK: it keeps every message in the order it
 * arrived (the SDK client itself would drop progress notifications read together with their result).
 */
export class RawStdioClient {
  readonly messages: RawMessage[] = [];
  stderr = "";
  private buf = "";
  private nextId = 1;
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const l = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (l) this.messages.push(JSON.parse(l));
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => child.once("exit", (code) => r(code)));
  }

  static spawn(command: string, args: string[], env: Record<string, string | undefined> = {}): RawStdioClient {
    return new RawStdioClient(spawn(command, args, { env: { ...getDefaultEnvironment(), ...env } as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] }));
  }

  /** Writes one message as it is (e.g. the response to a request the gateway sent). */
  write(message: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
  }

  notify(method: string, params?: unknown): void {
    this.child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) }) + "\n");
  }

  /** Sends a request; resolves with its response and every message that arrived after sending and before it. */
  async request(method: string, params?: unknown, timeoutMs = 20_000): Promise<{ response: RawMessage; before: RawMessage[] }> {
    const id = this.nextId++;
    const from = this.messages.length;
    this.child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }) + "\n");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.messages.findIndex((m, i) => i >= from && m.id === id && m.method === undefined);
      if (at >= 0) return { response: this.messages[at], before: this.messages.slice(from, at) };
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`no answer to ${method} (exit ${this.child.exitCode}); stderr:\n${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  async initialize(): Promise<RawMessage> {
    const { response } = await this.request("initialize", INIT_PARAMS);
    this.notify("notifications/initialized");
    return response;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** One POST to a Streamable HTTP endpoint, without the SDK: the answer's messages in the order they were sent. */
export async function rawHttpPost(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; messages: RawMessage[]; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let messages: RawMessage[] = [];
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream"))
    messages = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)));
  else if (type.startsWith("application/json") && text) messages = [].concat(JSON.parse(text));
  return { status: res.status, headers: res.headers, messages, text };
}

/** Opens a session on a gateway in HTTP mode; `send` posts one message of it. */
export async function rawHttpSession(url: string, apiKey: string) {
  const init = await rawHttpPost(url, { jsonrpc: "2.0", id: 0, method: "initialize", params: INIT_PARAMS }, { authorization: `Bearer ${apiKey}` });
  if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.text}`);
  const sessionId = init.headers.get("mcp-session-id")!;
  const headers = { authorization: `Bearer ${apiKey}`, "mcp-session-id": sessionId, "mcp-protocol-version": INIT_PARAMS.protocolVersion };
  await rawHttpPost(url, { jsonrpc: "2.0", method: "notifications/initialized" }, headers);
  let nextId = 1;
  return {
    sessionId,
    init: init.messages[0],
    /** A request: its response and the messages sent before it on the same answer. */
    async request(method: string, params?: unknown) {
      const id = nextId++;
      const r = await rawHttpPost(url, { jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }, headers);
      if (r.status !== 200) throw new Error(`${method}: ${r.status} ${r.text}`);
      const at = r.messages.findIndex((m) => m.id === id && m.method === undefined);
      if (at < 0) throw new Error(`${method}: no answer in ${r.text}`);
      return { response: r.messages[at], before: r.messages.slice(0, at) };
    },
    delete: () => fetch(url, { method: "DELETE", headers }).then((r) => r.status),
  };
}
