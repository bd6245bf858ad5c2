/**
 * The gateway in stdio mode in front of the real reference servers (filesystem in a temp dir, memory,
 * everything), driven by the official SDK client, against a real running Mandate.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startMandate } from "../support/mandate.ts";
import {
  APPROVAL_GATE_POLICY,
  EVERYTHING,
  FILESYSTEM,
  MEMORY,
  approveApproval,
  childPids,
  connectClient,
  dbQuery,
  directStdioTransport,
  gatewayErrorCode,
  gatewayStdioTransport,
  tempDir,
  text,
  writeJson,
} from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
let apiKey: string;
let files: string;
const spoolDir = tempDir("stdio-spool");
const clients: Client[] = [];

async function gateway(server: string, command: string[], extra: { env?: Record<string, string>; configPath?: string } = {}) {
  const transport = gatewayStdioTransport({ mandateUrl: mandate.url, apiKey, server, command, spoolDir, ...extra });
  const client = await connectClient(transport);
  clients.push(client);
  return { client, transport };
}
const fsCommand = () => [process.execPath, FILESYSTEM, files];

beforeAll(async () => {
  mandate = await startMandate();
  apiKey = (await mandate.createAgent("gateway-stdio-test")).apiKey;
  await mandate.publishPolicy(APPROVAL_GATE_POLICY);
  files = tempDir("files");
  writeFileSync(join(files, "hello.txt"), "hello from disk\n");
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await mandate?.stop();
});

describe("gateway, stdio mode", () => {
  it("reports tools/list to the inventory and returns only the tools the agent may call", async () => {
    const direct = await connectClient(directStdioTransport(fsCommand()));
    const all = (await direct.listTools()).tools.map((t) => t.name).sort();
    await direct.close();

    const { client } = await gateway("fs", fsCommand());
    expect((await client.listTools()).tools).toEqual([]); // nothing approved yet: nothing visible

    const reported = await dbQuery<{ name: string; definition_hash: string }>(
      mandate.databaseUrl,
      "select t.name, t.definition_hash from tools t join tool_servers s on s.id = t.server_id where s.name = $1 order by t.name",
      ["fs"],
    );
    expect(reported.map((r) => r.name)).toEqual(all);

    for (const t of ["read_text_file", "list_directory"]) await mandate.approveTool("fs", t);
    const visible = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(visible).toEqual(["list_directory", "read_text_file"]);
  });

  it("forwards an allowed call and returns the upstream's real result", async () => {
    const { client } = await gateway("fs", fsCommand());
    const args = { path: join(files, "hello.txt") };
    const viaGateway = await client.callTool({ name: "read_text_file", arguments: args });
    const direct = await connectClient(directStdioTransport(fsCommand()));
    const directResult = await direct.callTool({ name: "read_text_file", arguments: args });
    await direct.close();
    expect(text(viaGateway)).toContain("hello from disk");
    expect(viaGateway).toEqual(directResult);
  });

  it("never forwards a denied call (the file is not written) and says why", async () => {
    const { client } = await gateway("fs", fsCommand());
    const target = join(files, "denied.txt");
    const result = await client.callTool({ name: "write_file", arguments: { path: target, content: "must not exist" } });
    expect(result.isError).toBe(true);
    expect(gatewayErrorCode(result)).toBe("denied");
    expect(text(result)).toMatch(/Mandate denied the call to fs\/write_file/);
    expect(text(result)).toMatch(/policy/i);
    expect(existsSync(target)).toBe(false);
  });

  it("waits for an approval-gated call, which runs once approved through the API", async () => {
    const memoryFile = join(tempDir("memory"), "memory.jsonl");
    const { client } = await gateway("memory", [process.execPath, MEMORY], { env: { MEMORY_FILE_PATH: memoryFile } });
    await client.listTools(); // reports the inventory
    for (const t of ["create_entities", "read_graph"]) await mandate.approveTool("memory", t);

    const progress: string[] = [];
    let approving: Promise<void> | undefined;
    let approveError: Error | undefined;
    const call = client.callTool(
      { name: "create_entities", arguments: { entities: [{ name: "Ada", entityType: "person", observations: ["wrote code"] }] } },
      undefined,
      {
        timeout: 30_000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => {
          progress.push(p.message ?? "");
          const id = /approval ([0-9a-f-]{36})/.exec(p.message ?? "")?.[1];
          if (id && !approving) {
            // Not executed while pending: the server has not written anything.
            expect(existsSync(memoryFile) ? readFileSync(memoryFile, "utf8") : "").not.toContain("Ada");
            approving = approveApproval(mandate, id).catch((e: Error) => {
              approveError = e;
            });
          }
        },
      },
    );
    const result = await Promise.race([
      call,
      new Promise<never>((_, reject) => {
        const t = setInterval(() => approveError && (clearInterval(t), reject(approveError)), 100);
        void call.finally(() => clearInterval(t));
      }),
    ]);
    await approving;
    expect(progress.length).toBeGreaterThan(0);
    expect(result.isError).not.toBe(true);
    expect(text(result)).toContain("Ada");
    expect(text(await client.callTool({ name: "read_graph", arguments: {} }))).toContain("Ada");
  });

  it("past the configured wait, returns an error naming the pending approval; a retry after approval runs", async () => {
    const memoryFile = join(tempDir("memory"), "memory.jsonl");
    const configPath = writeJson(tempDir("cfg"), "gateway.json", { approval: { waitMs: 1500, pollMs: 200 } });
    const { client } = await gateway("memory", [process.execPath, MEMORY], { env: { MEMORY_FILE_PATH: memoryFile }, configPath });
    const args = { entities: [{ name: "Grace", entityType: "person", observations: [] }] };
    const first = await client.callTool({ name: "create_entities", arguments: args });
    expect(first.isError).toBe(true);
    expect(gatewayErrorCode(first)).toBe("approval_pending");
    const approvalId = (first._meta as Record<string, { approval_id: string }>)["mandate/error"].approval_id;
    expect(text(first)).toContain(approvalId);
    expect(text(first)).toMatch(/retry/i);
    expect(existsSync(memoryFile) ? readFileSync(memoryFile, "utf8") : "").not.toContain("Grace");

    await approveApproval(mandate, approvalId);
    const retry = await client.callTool({ name: "create_entities", arguments: args });
    expect(retry.isError).not.toBe(true);
    expect(text(retry)).toContain("Grace");
  });

  it("never gives the upstream server Mandate's credentials", async () => {
    const { client } = await gateway("everything", [process.execPath, EVERYTHING, "stdio"], {
      env: { SOME_COPY_OF_THE_KEY: apiKey, UPSTREAM_SETTING: "kept" },
    });
    await client.listTools();
    await mandate.approveTool("everything", "get-env");
    const env = text(await client.callTool({ name: "get-env", arguments: {} }));
    expect(env).toContain("UPSTREAM_SETTING");
    expect(env).not.toContain("MANDATE_");
    expect(env).not.toContain(apiKey);
  });

  it("reports an upstream that dies as a clean error", async () => {
    const { client, transport } = await gateway("everything", [process.execPath, EVERYTHING, "stdio"]);
    await client.listTools();
    await mandate.approveTool("everything", "trigger-long-running-operation");
    const inFlight = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } });
    await new Promise((r) => setTimeout(r, 500));
    const upstreams = childPids(transport.pid!);
    expect(upstreams.length).toBe(1);
    process.kill(upstreams[0], "SIGKILL");
    const result = await inFlight;
    expect(result.isError).toBe(true);
    expect(gatewayErrorCode(result)).toBe("upstream_unavailable");
    expect(text(result)).toMatch(/upstream MCP server "everything" is not available/);
  });

  it("fails closed while Mandate is down: nothing is forwarded, and the error says why", async () => {
    const { client } = await gateway("fs", fsCommand());
    await mandate.approveTool("fs", "write_file");
    const target = join(files, "while-down.txt");
    await mandate.stop();
    try {
      const result = await client.callTool({ name: "write_file", arguments: { path: target, content: "x" } });
      expect(result.isError).toBe(true);
      expect(gatewayErrorCode(result)).toBe("mandate_unavailable");
      expect(text(result)).toMatch(/fail closed/);
      expect(text(result)).toMatch(/unreachable/);
      expect(existsSync(target)).toBe(false);
      await expect(client.listTools()).rejects.toThrow(/fail closed/);
    } finally {
      await mandate.restart();
    }
    const after = await client.callTool({ name: "write_file", arguments: { path: target, content: "x" } });
    expect(after.isError).not.toBe(true);
    expect(readFileSync(target, "utf8")).toBe("x");
  });
});
