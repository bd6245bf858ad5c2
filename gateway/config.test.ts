import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.ts";
import { ConfigError, loadConfig, SESSION_ENV } from "./config.ts";

const dir = mkdtempSync(join(tmpdir(), "gw-config-"));
function file(content: unknown): string {
  const p = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}
const env = { MANDATE_URL: "http://127.0.0.1:3000/", MANDATE_API_KEY: "mk_test_key_123" };

describe("parseArgs", () => {
  it("parses stdio mode with the upstream command after --", () => {
    expect(parseArgs(["stdio", "--server", "fs", "--", "npx", "-y", "pkg", "--flag"])).toEqual({
      mode: "stdio",
      server: "fs",
      command: ["npx", "-y", "pkg", "--flag"],
    });
  });
  it("parses http mode and --opt=value", () => {
    expect(parseArgs(["http", "--listen=127.0.0.1:9000", "--config", "c.json"])).toEqual({
      mode: "http",
      listen: "127.0.0.1:9000",
      configPath: "c.json",
    });
  });
  it("rejects unknown modes and options", () => {
    expect(() => parseArgs(["proxy"])).toThrow(/unknown mode/);
    expect(() => parseArgs(["http", "--port", "1"])).toThrow(/unknown option --port/);
    expect(() => parseArgs(["stdio", "--server"])).toThrow(/--server needs a value/);
  });
});

describe("loadConfig", () => {
  it("builds a stdio configuration from flags and environment", () => {
    const c = loadConfig({ mode: "stdio", server: "fs", command: ["node", "server.js"] }, env);
    expect(c.mandate).toEqual({ url: "http://127.0.0.1:3000", apiKey: "mk_test_key_123", dpop: false, timeoutMs: 5000 });
    expect(c.servers).toEqual({ fs: { command: "node", args: ["server.js"], env: {} } });
    expect(c.approval).toEqual({ waitMs: 50_000, pollMs: 1_000 });
    expect(c.events.flushMs).toBe(50);
  });

  it("requires the agent key, a server id and a command in stdio mode", () => {
    expect(() => loadConfig({ mode: "stdio", server: "fs", command: ["x"] }, { MANDATE_URL: env.MANDATE_URL })).toThrow(/MANDATE_API_KEY is not set/);
    expect(() => loadConfig({ mode: "stdio", command: ["x"] }, env)).toThrow(/--server <id> is required/);
    expect(() => loadConfig({ mode: "stdio", server: "bad id!", command: ["x"] }, env)).toThrow(/--server/);
    expect(() => loadConfig({ mode: "stdio", server: "fs" }, env)).toThrow(/command is missing/);
  });

  it("requires MANDATE_URL or mandate.url", () => {
    expect(() => loadConfig({ mode: "stdio", server: "fs", command: ["x"] }, { MANDATE_API_KEY: "k" })).toThrow(/MANDATE_URL/);
    expect(() => loadConfig({ mode: "stdio", server: "fs", command: ["x"] }, { ...env, MANDATE_URL: "ftp://x" })).toThrow(/not an http\(s\) URL/);
  });

  it("loads an http configuration file with several upstreams", () => {
    const p = file({
      listen: "127.0.0.1:8787",
      approval: { waitMs: 1000 },
      servers: {
        fs: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], cwd: "sub" },
        remote: { url: "http://127.0.0.1:3001/mcp", headers: { "x-a": "1" } },
      },
    });
    const c = loadConfig({ mode: "http", configPath: p }, { MANDATE_URL: "http://m:3000" });
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 8787 });
    expect(c.approval).toEqual({ waitMs: 1000, pollMs: 1000 });
    expect(Object.keys(c.servers)).toEqual(["fs", "remote"]);
    expect((c.servers.fs as { cwd: string }).cwd).toBe(join(dir, "sub"));
    expect(c.mandate.apiKey).toBeUndefined();
  });

  it("stops on a wrong configuration with a message naming the field", () => {
    const bad = file({ listen: "127.0.0.1:1", servers: { fs: { command: "" }, web: { url: "not a url" } }, extra: 1 });
    let message = "";
    try {
      loadConfig({ mode: "http", configPath: bad }, env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/invalid configuration in/);
    expect(message).toMatch(/servers\.fs/);
    expect(message).toMatch(/extra/);
    expect(() => loadConfig({ mode: "http", configPath: file("{ not json") }, env)).toThrow(/not valid JSON/);
    expect(() => loadConfig({ mode: "http", configPath: join(dir, "missing.json") }, env)).toThrow(/cannot read/);
    expect(() => loadConfig({ mode: "http", configPath: file({ servers: {} }), listen: "127.0.0.1:1" }, env)).toThrow(/at least one upstream/);
    expect(() => loadConfig({ mode: "http", configPath: file({ servers: { a: { url: "http://x" } } }) }, env)).toThrow(/--listen/);
    expect(() => loadConfig({ mode: "http", configPath: file({ servers: { "bad/id": { url: "http://x" } } }), listen: "h:1" }, env)).toThrow(/servers/);
  });
});

describe("session limits (HTTP mode)", () => {
  const http = (content: unknown, e: Record<string, string> = {}) =>
    loadConfig({ mode: "http", configPath: file({ listen: "127.0.0.1:1", servers: { a: { url: "http://x" } }, ...(content as object) }) }, { ...env, ...e });

  it("defaults to 10 sessions per key, 100 in all, closed after 5 minutes idle", () => {
    const c = http({});
    expect(c.sessions).toEqual({ maxPerKey: 10, maxTotal: 100 });
    expect(c.sessionIdleMs).toBe(300_000);
  });

  it("takes them from the file, and the environment over the file", () => {
    const c = http({ sessions: { maxPerKey: 2, maxTotal: 7 }, sessionIdleMs: 1000 });
    expect(c.sessions).toEqual({ maxPerKey: 2, maxTotal: 7 });
    expect(c.sessionIdleMs).toBe(1000);
    const e = http(
      { sessions: { maxPerKey: 2, maxTotal: 7 }, sessionIdleMs: 1000 },
      { [SESSION_ENV.maxPerKey]: "3", [SESSION_ENV.maxTotal]: "40", [SESSION_ENV.idleMs]: "60000" },
    );
    expect(e.sessions).toEqual({ maxPerKey: 3, maxTotal: 40 });
    expect(e.sessionIdleMs).toBe(60_000);
    expect(SESSION_ENV).toEqual({
      maxPerKey: "MANDATE_GATEWAY_MAX_SESSIONS_PER_KEY",
      maxTotal: "MANDATE_GATEWAY_MAX_SESSIONS",
      idleMs: "MANDATE_GATEWAY_SESSION_IDLE_MS",
    });
  });

  it("refuses limits that are not whole numbers in range, naming the field or variable", () => {
    expect(() => http({ sessions: { maxPerKey: 0 } })).toThrow(/sessions\.maxPerKey/);
    expect(() => http({ sessions: { maxTotal: 1.5 } })).toThrow(/sessions\.maxTotal/);
    expect(() => http({ sessions: { other: 1 } })).toThrow(/sessions/);
    expect(() => http({ sessionIdleMs: 0 })).toThrow(/sessionIdleMs/);
    for (const bad of ["0", "-1", "1.5", " 5", "5 ", "1e3", "ten", "0x10"])
      expect(() => http({}, { [SESSION_ENV.maxPerKey]: bad }), bad).toThrow(new RegExp(`^${SESSION_ENV.maxPerKey}=`));
    expect(() => http({}, { [SESSION_ENV.maxTotal]: "100001" })).toThrow(/MANDATE_GATEWAY_MAX_SESSIONS=.*100000/);
    expect(() => http({}, { [SESSION_ENV.idleMs]: "86400001" })).toThrow(/MANDATE_GATEWAY_SESSION_IDLE_MS=/);
  });
});

describe("a platform token file instead of a key (workload identity federation)", () => {
  const base = { mode: "stdio" as const, server: "fs", command: ["node", "server.js"] };
  it("takes --token-file or MANDATE_TOKEN_FILE (resolved) in stdio mode, with no key", () => {
    expect(parseArgs(["stdio", "--server", "fs", "--token-file", "/var/run/secrets/tokens/mandate", "--", "x"]).tokenFile).toBe(
      "/var/run/secrets/tokens/mandate",
    );
    const c = loadConfig({ ...base, tokenFile: "tok" }, { MANDATE_URL: env.MANDATE_URL });
    expect(c.mandate).toMatchObject({ apiKey: undefined, tokenFile: join(process.cwd(), "tok") });
    expect(loadConfig(base, { MANDATE_URL: env.MANDATE_URL, MANDATE_TOKEN_FILE: "/t" }).mandate.tokenFile).toBe("/t");
  });
  it("refuses a key and a token file together, and a token file in http mode", () => {
    expect(() => loadConfig({ ...base, tokenFile: "/t" }, env)).toThrow(/both set/);
    const cfg = file({ servers: { fs: { command: "node" } } });
    expect(() => loadConfig({ mode: "http", listen: "127.0.0.1:9000", configPath: cfg, tokenFile: "/t" }, { MANDATE_URL: env.MANDATE_URL })).toThrow(
      /for stdio mode/,
    );
    expect(() => loadConfig(base, { MANDATE_URL: env.MANDATE_URL })).toThrow(ConfigError);
  });
  it("takes --dpop or MANDATE_DPOP=1 with a token file only; refuses another MANDATE_DPOP value", () => {
    expect(parseArgs(["stdio", "--server", "fs", "--token-file", "/t", "--dpop", "--", "x"]).dpop).toBe(true);
    expect(() => parseArgs(["stdio", "--server", "fs", "--dpop=yes", "--", "x"])).toThrow(/unknown option/);
    const url = { MANDATE_URL: env.MANDATE_URL };
    expect(loadConfig({ ...base, tokenFile: "/t", dpop: true }, url).mandate.dpop).toBe(true);
    expect(loadConfig({ ...base, tokenFile: "/t" }, { ...url, MANDATE_DPOP: "1" }).mandate.dpop).toBe(true);
    expect(loadConfig({ ...base, tokenFile: "/t" }, url).mandate.dpop).toBe(false);
    expect(() => loadConfig({ ...base, tokenFile: "/t" }, { ...url, MANDATE_DPOP: "yes" })).toThrow(/MANDATE_DPOP must be 1 or 0/);
    expect(() => loadConfig({ ...base, dpop: true }, env)).toThrow(/give a token file/);
  });
});
