/**
 * "What is decided is what runs" through the gateway (issue 14, item 2): the real gateway (stdio) in
 * front of the real filesystem server, against a real Mandate with a policy that forbids any path
 * containing "secret". Arguments Mandate cannot decide exactly are refused and never reach the tool;
 * arguments that are not an object are refused by the gateway itself, without a decision; what the
 * tool receives is what Mandate recorded (arguments_hash).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { argumentsHash } from "../../lib/decisions/decide.ts";
import { startMandate } from "../support/mandate.ts";
import { ALLOW_ALL_POLICY, FILESYSTEM, connectClient, dbQuery, gatewayErrorCode, gatewayStdioTransport, tempDir, text } from "./helpers.ts";

const NO_SECRETS = `${ALLOW_ALL_POLICY}
@id("no-secrets")
@reason("no file whose path mentions a secret")
forbid (principal, action == Action::"tools/call", resource)
when { context.args has path && context.args.path like "*secret*" };
`;

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
let client: Client;
let files: string;

beforeAll(async () => {
  mandate = await startMandate();
  const apiKey = (await mandate.createAgent("gateway-exact-test")).apiKey;
  await mandate.publishPolicy(NO_SECRETS);
  files = tempDir("exact-files");
  client = await connectClient(
    gatewayStdioTransport({ mandateUrl: mandate.url, apiKey, server: "fs", command: [process.execPath, FILESYSTEM, files], spoolDir: tempDir("exact-spool") }),
  );
  await client.listTools(); // reports the inventory
  for (const t of ["write_file", "list_allowed_directories"]) await mandate.approveTool("fs", t);
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await mandate?.stop();
});

async function decisionsIn(session: string) {
  return dbQuery<{ outcome: string; data: { arguments: unknown; arguments_hash: string } }>(
    mandate.databaseUrl,
    "select outcome, data from audit_entries where kind = 'decision' and session_id = $1 order by step",
    [session],
  );
}
const call = (session: string, name: string, args: unknown) =>
  client.callTool({ name, ...(args === undefined ? {} : { arguments: args as Record<string, unknown> }), _meta: { "mandate/session": session } });

describe("gateway: what is decided is what runs", () => {
  it("the policy works: a write to a secret path is denied and not executed", async () => {
    const s = `gw-exact-${randomUUID()}`;
    const denied = await call(s, "write_file", { path: join(files, "secret.txt"), content: "x" });
    expect(gatewayErrorCode(denied)).toBe("denied");
    expect(existsSync(join(files, "secret.txt"))).toBe(false);
  });

  it("refuses the issue's reproduction (keys that differ by a NUL): the tool never runs, nothing is decided", async () => {
    const s = `gw-exact-${randomUUID()}`;
    const secret = join(files, "secret-nul.txt");
    const harmless = join(files, "harmless-nul.txt");
    const result = await call(s, "write_file", { path: secret, "path\u0000": harmless, content: "pwned" });
    expect(existsSync(secret), "the tool wrote the path the policy forbids").toBe(false);
    expect(existsSync(harmless)).toBe(false);
    expect(result.isError).toBe(true);
    expect(gatewayErrorCode(result)).toBe("invalid_arguments");
    expect(text(result)).toContain('arguments["path\\u0000"]');
    expect(await decisionsIn(s)).toEqual([]);
  });

  it("refuses a __proto__ member: the tool never runs", async () => {
    const s = `gw-exact-${randomUUID()}`;
    const target = join(files, "proto.txt");
    const args = JSON.parse(`{"path":${JSON.stringify(target)},"content":"x","__proto__":{"path":${JSON.stringify(join(files, "secret-proto.txt"))}}}`);
    const result = await call(s, "write_file", args);
    expect(gatewayErrorCode(result)).toBe("invalid_arguments");
    expect(text(result)).toContain("arguments.__proto__");
    expect(existsSync(target)).toBe(false);
    expect(await decisionsIn(s)).toEqual([]);
  });

  it.each([
    ["a string", "/etc/shadow"],
    ["null", null],
    ["an array", ["/tmp/array.txt", "x"]],
  ])("refuses arguments that are %s as invalid params, without asking Mandate or forwarding", async (_what, args) => {
    const s = `gw-exact-${randomUUID()}`;
    const err = await call(s, "write_file", args).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((err as McpError).message).toMatch(/params\.arguments must be an object/);
    expect(await decisionsIn(s)).toEqual([]);
  });

  it("forwards exactly what Mandate decided and recorded", async () => {
    const s = `gw-exact-${randomUUID()}`;
    const path = join(files, "exact-caf\u00e9.txt");
    const content = 'caf\u00e9 cafe\u0301 \u{1F4A5} \\ " \u2028 \t tabs and ｆｕｌｌｗｉｄｔｈ';
    const result = await call(s, "write_file", { path, content });
    expect(result.isError).not.toBe(true);
    const [d] = await decisionsIn(s);
    expect(d.outcome).toBe("allow");
    expect(d.data.arguments).toEqual({ path, content });
    // What the tool received (the file it wrote) hashes to what Mandate decided and receipted.
    expect(argumentsHash({ path, content: readFileSync(path, "utf8") })).toBe(d.data.arguments_hash);
  });

  it("decides absent arguments as {} and forwards {}", async () => {
    const s = `gw-exact-${randomUUID()}`;
    const result = await call(s, "list_allowed_directories", undefined);
    expect(result.isError).not.toBe(true);
    expect(text(result)).toContain(files);
    const [d] = await decisionsIn(s);
    expect(d.data.arguments_hash).toBe(argumentsHash({}));
  });
});
