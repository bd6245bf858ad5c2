/**
 * npm run demo:agent — a scripted agent session through the gateway against the demo MCP servers
 * (examples/mcp-servers: files, crm, web, mail), so that real traffic shows up in the console:
 * allowed reads, the lethal-trifecta deny with its reason, a destructive call waiting for approval,
 * and (with a user's personal token) a delegation in two hops: user → support-assistant → research-subagent.
 *
 * Needs a running Mandate (npm start). Environment:
 *   MANDATE_URL                 default http://127.0.0.1:3000
 *   MANDATE_DEMO_CREDENTIALS    default <MANDATE_DATA_DIR or ./.mandate>/initial-credentials.json (demo agent keys)
 *   MANDATE_USER_TOKEN          optional: a user's personal API token (mandate tokens create), to delegate
 *   DEMO_APPROVAL_WAIT_MS       how long the destructive call waits for a human (default 30000)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { parseScriptArgs } from "../../lib/util/command-line.ts";

parseScriptArgs(
  `usage: npm run demo:agent

A scripted agent session through the gateway against the demo MCP servers, and a delegation to a
sub-agent when MANDATE_USER_TOKEN is set. Needs a running Mandate (npm start).
Environment: MANDATE_URL (default http://127.0.0.1:3000), MANDATE_DEMO_CREDENTIALS (default
<MANDATE_DATA_DIR or ./.mandate>/initial-credentials.json), MANDATE_USER_TOKEN (a user's personal API
token: npx mandate tokens create --email E), DEMO_APPROVAL_WAIT_MS (default 30000).`,
  {},
);
const root = resolve(import.meta.dirname, "../..");
const mandateUrl = (process.env.MANDATE_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
const credFile = process.env.MANDATE_DEMO_CREDENTIALS ?? join(process.env.MANDATE_DATA_DIR ?? join(root, ".mandate"), "initial-credentials.json");
const waitMs = Number(process.env.DEMO_APPROVAL_WAIT_MS ?? 30_000);
const say = (s: string) => console.log(s);

function agentKey(name: string): string {
  let creds: { agents: Array<{ name: string; api_key: string }> };
  try {
    creds = JSON.parse(readFileSync(credFile, "utf8")) as typeof creds; // written by the first `mandate start`
  } catch (e) {
    throw new Error(`cannot read the demo credentials (${credFile}): ${(e as Error).message}. Start Mandate first (npm start).`);
  }
  const a = creds.agents.find((x) => x.name === name);
  if (!a) throw new Error(`no demo agent "${name}" in ${credFile}`);
  return a.api_key;
}

async function startGateway(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "mandate-demo-gateway-"));
  const demo = (name: string) => ({ command: process.execPath, args: ["--import", "tsx", join(root, "examples/mcp-servers", `${name}.ts`)] });
  const config = join(dir, "gateway.json");
  writeFileSync(
    config,
    JSON.stringify({
      mandate: { url: mandateUrl },
      approval: { waitMs, pollMs: 1000 },
      events: { spoolDir: join(dir, "spool") },
      servers: { files: demo("files"), crm: demo("crm"), web: demo("web"), mail: demo("mail") },
    }),
  );
  const child = spawn(process.execPath, [join(root, "bin/mandate-gateway.mjs"), "http", "--listen", "127.0.0.1:0", "--config", config], {
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, MANDATE_API_KEY: "" },
  });
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]);
    });
    child.once("exit", (code) => rej(new Error(`gateway exited (${code}):\n${out}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

async function connect(url: string, key: string, name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

function show(step: string, r: CallToolResult): void {
  const text = r.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n");
  const code = (r._meta?.["mandate/error"] as { code?: string } | undefined)?.code;
  // A refusal by Mandate carries _meta["mandate/error"]; any other error is the tool's own (it ran).
  say(`\n▶ ${step}: ${!r.isError ? "ok" : code ? `REFUSED (${code})` : "allowed, but the tool failed"}`);
  say(
    text
      .split("\n")
      .slice(0, 8)
      .map((l) => `    ${l}`)
      .join("\n"),
  );
}

/**
 * One RFC 8693 token exchange (docs/delegation.md): the subject's authority (a user's personal token, or
 * a parent delegation token) for the actor agent, narrowed to `scope`, bound to the session.
 */
async function exchange(
  subject: { token: string; type: "personal-token" | "delegation" },
  actorKey: string,
  scope: string,
  sessionId: string,
): Promise<string | undefined> {
  const body = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subject.token,
    subject_token_type: `urn:mandate:params:oauth:token-type:${subject.type}`,
    actor_token: actorKey,
    actor_token_type: "urn:mandate:params:oauth:token-type:agent-key",
    scope,
    session_id: sessionId,
  });
  const res = await fetch(`${mandateUrl}/api/v1/token`, { method: "POST", body });
  const json = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string; detail?: string };
  if (!res.ok || !json.access_token) {
    say(`    token exchange refused (${res.status}): ${json.error_description ?? json.detail ?? "no detail"}`);
    return undefined;
  }
  return json.access_token;
}

async function main(): Promise<void> {
  const support = agentKey("support-assistant");
  const gw = await startGateway();
  say(`gateway: ${gw.url} → Mandate ${mandateUrl}`);
  const session = `demo-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const meta = { "mandate/session": session };
  try {
    const agent = await connect(gw.url, support, "demo-support-assistant");
    const tools = (await agent.listTools({ _meta: meta })).tools.map((t) => t.name);
    say(`\nsession ${session}: the support assistant may call ${tools.length} tools:\n    ${tools.join(", ")}`);
    const call = (name: string, args: Record<string, unknown>) =>
      agent.callTool({ name, arguments: args, _meta: meta }, undefined, { timeout: waitMs + 30_000 }) as Promise<CallToolResult>;

    show("read a file (files/read_file)", await call("files__read_file", { path: "notes/q3-plan.md" }));
    show("look up a customer (crm/get_customer, PII)", await call("crm__get_customer", { customer_id: "cus_1001" }));
    show("fetch a web page (web/fetch_url, untrusted content)", await call("web__fetch_url", { url: "https://example.com/" }));
    show(
      "email the customer record out (mail/send_email) — the lethal trifecta",
      await call("mail__send_email", { to: "someone@example.net", subject: "customer data", body: "see record" }),
    );
    say(`\n… deleting a file needs a human: approve it in the console (${mandateUrl}) within ${Math.round(waitMs / 1000)} s`);
    show("delete a file (files/delete_file, destructive)", await call("files__delete_file", { path: "README.txt" }));

    const userToken = process.env.MANDATE_USER_TOKEN;
    if (!userToken) {
      say(
        "\n▶ delegation: skipped (set MANDATE_USER_TOKEN to a user's personal API token, e.g. from " +
          "`npx mandate tokens create --email admin@mandate.local`, to delegate web research to research-subagent)",
      );
    } else {
      say("\n▶ delegation: the user grants web research to support-assistant, which hands it on to research-subagent (RFC 8693 token exchange, two hops)");
      const granted = await exchange({ token: userToken, type: "personal-token" }, support, "tool:web/*", session);
      const subKey = agentKey("research-subagent");
      const token = granted && (await exchange({ token: granted, type: "delegation" }, subKey, "tool:web/fetch_url", session));
      if (token) {
        say("    research-subagent holds a delegation: user → support-assistant → research-subagent, scope tool:web/fetch_url");
        const sub = await connect(gw.url, subKey, "demo-research-subagent");
        const r = (await sub.callTool({
          name: "web__fetch_url",
          arguments: { url: "https://example.org/" },
          _meta: { "mandate/session": session, "mandate/delegation_token": token },
        })) as CallToolResult;
        show("sub-agent fetches a page on the user's behalf", r);
        await sub.close();
      }
    }
    await agent.close();
    say(`\nDone. Open ${mandateUrl} → Sessions → ${session} to see the timeline.`);
  } finally {
    gw.stop();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 500),
  (e) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
