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
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";

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
    content: { name: "Ada", check: true, firstLine: "x", email: "ada@example.com", homepage: "https://example.com", birthdate: "1815-12-10", integer: 5, number: 3, untitledSingleSelectEnum: "option1", titledSingleSelectEnum: "value1", legacyTitledEnum: "opt1", untitledMultipleSelectEnum: ["option1"], titledMultipleSelectEnum: ["value1"] },
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
}): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [
      GATEWAY_BIN,
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
  });
}

export function directStdioTransport(command: string[], env: Record<string, string> = {}): StdioClientTransport {
  return new StdioClientTransport({ command: command[0]!, args: command.slice(1), env: { ...getDefaultEnvironment(), ...env }, stderr: "pipe" });
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
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string; stop(): Promise<void> }> {
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
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
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
  return { ...p, url: p.match[1]! };
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

export async function countOutcomeEvents(m: MandateLike): Promise<number> {
  const rows = await dbQuery<{ n: string }>(m.databaseUrl, "select count(*)::text as n from outcome_events");
  return Number(rows[0]!.n);
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
