/**
 * Spawns each demo MCP server for real (stdio, through tsx), checks that tools/list is exactly
 * DEMO_SERVERS, and calls its tools.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SERVERS } from "./definitions.ts";

const here = import.meta.dirname;
const work = mkdtempSync(join(tmpdir(), "mandate-demo-test-"));
const filesRoot = join(work, "files");
const outbox = join(work, "outbox.jsonl");
const clients: Record<string, Client> = {};
let http: HttpServer;
let base = "";

async function start(server: string, env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", join(here, `${server}.ts`)],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: "ignore",
  });
  const client = new Client({ name: "mandate-test", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

type CallResult = { text: string; isError: boolean };
async function call(server: string, name: string, args: Record<string, unknown>): Promise<CallResult> {
  const result = await clients[server].callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  return { text: content.map((c) => c.text ?? "").join(""), isError: result.isError === true };
}

beforeAll(async () => {
  http = createServer((req, res) => {
    if (req.url === "/hello") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<h1>Hello from the test server</h1>");
    } else if (req.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(100_000));
    } else if (req.url === "/slow") {
      setTimeout(() => res.end("late"), 5_000).unref();
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  if (!address || typeof address === "string") throw new Error("no address");
  base = `http://127.0.0.1:${address.port}`;
  const env = { DEMO_FILES_ROOT: filesRoot, DEMO_MAIL_OUTBOX: outbox, DEMO_WEB_TIMEOUT_MS: "1000" };
  const started = await Promise.all(DEMO_SERVERS.map((s) => start(s.server, env)));
  DEMO_SERVERS.forEach((s, i) => (clients[s.server] = started[i]));
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close()));
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe("demo servers list exactly the definitions the seed uses", () => {
  for (const { server, tools } of DEMO_SERVERS) {
    it(`${server}: tools/list deep-equals DEMO_SERVERS`, async () => {
      const listed = await clients[server].listTools();
      expect(listed.tools).toEqual(tools.map((t) => t.definition));
      expect(JSON.stringify(listed.tools)).toBe(JSON.stringify(tools.map((t) => t.definition)));
    });
  }

  it("crm: resources/templates/list and prompts/list deep-equal DEMO_SERVERS; a customer reads as JSON, a prompt names it", async () => {
    const crm = DEMO_SERVERS.find((s) => s.server === "crm")!;
    const templates = (await clients.crm.listResourceTemplates()).resourceTemplates;
    // (The SDK client re-creates the objects in its schema's key order; the inventory hashes canonical JSON.)
    expect(templates).toEqual(crm.resourceTemplates!.map((t) => t.definition));
    const prompts = (await clients.crm.listPrompts()).prompts;
    expect(prompts).toEqual(crm.prompts!.map((p) => p.definition));
    const read = await clients.crm.readResource({ uri: "crm://customers/cus_1001" });
    expect(JSON.parse((read.contents[0] as { text: string }).text).id).toBe("cus_1001");
    await expect(clients.crm.readResource({ uri: "crm://customers/nobody" })).rejects.toThrow(/No customer/);
    const brief = await clients.crm.getPrompt({ name: "customer_brief", arguments: { customer_id: "cus_1002" } });
    expect(JSON.stringify(brief.messages)).toContain("crm://customers/cus_1002");
  });

  it("has one pending tool (crm/export_customers) and the rest approved", () => {
    const pending = DEMO_SERVERS.flatMap((s) => s.tools.filter((t) => t.status === "pending").map((t) => `${s.server}/${t.definition.name}`));
    expect(pending).toEqual(["crm/export_customers"]);
  });
});

describe("files", () => {
  it("writes, reads and deletes inside the sandbox", async () => {
    expect(await call("files", "write_file", { path: "notes/todo.md", content: "buy milk" })).toEqual({
      text: "Created notes/todo.md (8 bytes)",
      isError: false,
    });
    expect(readFileSync(join(filesRoot, "notes/todo.md"), "utf8")).toBe("buy milk");
    expect((await call("files", "write_file", { path: "notes/todo.md", content: "buy oat milk" })).text).toMatch(/^Replaced/);
    expect(await call("files", "read_file", { path: "notes/todo.md" })).toEqual({ text: "buy oat milk", isError: false });
    expect((await call("files", "read_file", { path: "notes/todo.md", max_bytes: 3 })).text).toMatch(/^buy\n\[truncated/);
    expect(await call("files", "delete_file", { path: "notes/todo.md" })).toEqual({ text: "Deleted notes/todo.md", isError: false });
    expect(existsSync(join(filesRoot, "notes/todo.md"))).toBe(false);
    expect(await call("files", "read_file", { path: "notes/todo.md" })).toMatchObject({ isError: true, text: "No such file: notes/todo.md" });
  });

  it("refuses paths outside the sandbox, including through a symbolic link", async () => {
    writeFileSync(join(work, "outside.txt"), "secret");
    symlinkSync(work, join(filesRoot, "escape"));
    for (const path of ["../outside.txt", "/etc/passwd", "escape/outside.txt", "notes/../../outside.txt"]) {
      const r = await call("files", "read_file", { path });
      expect(r.isError, path).toBe(true);
      expect(r.text, path).toMatch(/outside the sandbox|Absolute paths/);
    }
    expect((await call("files", "delete_file", { path: "escape/outside.txt" })).isError).toBe(true);
    expect(readFileSync(join(work, "outside.txt"), "utf8")).toBe("secret");
    expect((await call("files", "write_file", { path: "x", content: "y", mode: "0777" })).text).toMatch(/Unknown argument/);
  });
});

describe("crm", () => {
  it("gets, updates and exports customers", async () => {
    const got = await call("crm", "get_customer", { email: "Priya@Contoso.example" });
    expect(JSON.parse(got.text)).toMatchObject({ id: "cus_1003", name: "Priya Raman", phone: expect.any(String), changes: 0 });
    expect((await call("crm", "update_customer", { customer_id: "cus_1003", phone: "+1 512 555 0199" })).text).toBe("Updated cus_1003 (Priya Raman): phone");
    expect(JSON.parse((await call("crm", "get_customer", { customer_id: "cus_1003" })).text)).toMatchObject({ phone: "+1 512 555 0199", changes: 1 });
    const csv = (await call("crm", "export_customers", { fields: ["id", "email"] })).text.split("\n");
    expect(csv[0]).toBe("id,email");
    expect(csv.length).toBeGreaterThan(10);
    const jsonl = (await call("crm", "export_customers", { format: "jsonl" })).text.split("\n").map((l) => JSON.parse(l));
    expect(jsonl[0]).toHaveProperty("address");
    expect(await call("crm", "get_customer", { customer_id: "cus_9999" })).toMatchObject({ isError: true });
  });
});

describe("web", () => {
  it("fetches a local page for real", async () => {
    const r = await call("web", "fetch_url", { url: `${base}/hello` });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/^HTTP 200 OK \| text\/html/);
    expect(r.text).toContain("<h1>Hello from the test server</h1>");
  });

  it("caps the size, times out, and refuses other schemes", async () => {
    const big = await call("web", "fetch_url", { url: `${base}/big`, max_bytes: 1000 });
    expect(big.text).toMatch(/\n\nx{1000}\n\[truncated at 1000 bytes\]$/);
    expect(big.text).not.toMatch(/x{1001}/);
    expect(await call("web", "fetch_url", { url: `${base}/slow` })).toMatchObject({ isError: true, text: expect.stringMatching(/Timed out after 1000 ms/) });
    expect(await call("web", "fetch_url", { url: "file:///etc/passwd" })).toMatchObject({ isError: true, text: expect.stringMatching(/Only http and https/) });
  });
});

describe("mail", () => {
  it("appends to the outbox instead of sending", async () => {
    const r = await call("mail", "send_email", { to: ["ops@partner.example"], subject: "Status", body: "All good." });
    expect(r.text).toMatch(/^Queued message [0-9a-f-]{36} to 1 recipient \(demo outbox, not delivered\)$/);
    const lines = readFileSync(outbox, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ to: ["ops@partner.example"], cc: [], subject: "Status", body: "All good." });
    expect(await call("mail", "send_email", { to: ["not-an-address"], subject: "x", body: "y" })).toMatchObject({ isError: true });
  });
});
