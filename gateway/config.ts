/**
 * Gateway configuration: a JSON file (optional in stdio mode, required in HTTP mode), the environment
 * (MANDATE_URL, MANDATE_API_KEY, and the session limits of HTTP mode: SESSION_ENV) and command-line
 * flags, validated with zod. Anything wrong stops start-up with a message that names the offending field.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { z } from "zod";
import { toolRef } from "../lib/api/schemas.ts";

const serverId = toolRef.shape.server;
const ms = (def: number) => z.number().int().min(1).max(86_400_000).default(def);
const count = (def: number) => z.number().int().min(1).max(100_000).default(def);

/** Environment variables that override the session limits of the file (HTTP mode). */
export const SESSION_ENV = {
  maxPerKey: "MANDATE_GATEWAY_MAX_SESSIONS_PER_KEY",
  maxTotal: "MANDATE_GATEWAY_MAX_SESSIONS",
  idleMs: "MANDATE_GATEWAY_SESSION_IDLE_MS",
} as const;

export const stdioUpstreamSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  })
  .strict();

export const httpUpstreamSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const upstreamSchema = z.union([stdioUpstreamSchema, httpUpstreamSchema]);
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

export const listenSchema = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:8787");

export const configFileSchema = z
  .object({
    mandate: z
      .object({ url: z.url({ protocol: /^https?$/ }).optional(), timeoutMs: ms(5_000) })
      .strict()
      .prefault({}),
    listen: listenSchema.optional(),
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/, "must be a URL path such as /mcp")
      .default("/mcp"),
    approval: z
      .object({ waitMs: ms(50_000), pollMs: ms(1_000) })
      .strict()
      .prefault({}),
    events: z
      .object({
        spoolDir: z.string().min(1).optional(),
        batchSize: z.number().int().min(1).max(1000).default(100),
        flushMs: z.number().int().min(0).max(60_000).default(50),
        fsync: z.enum(["batch", "always"]).default("batch"),
        maxBackoffMs: ms(30_000),
      })
      .strict()
      .prefault({}),
    upstreamTimeoutMs: ms(120_000),
    /** How long an upstream may take to start and answer initialize (spawning `npx …` can be slow). */
    upstreamStartTimeoutMs: ms(60_000),
    clientRequestTimeoutMs: ms(600_000),
    /** HTTP mode: a session without any request in flight is closed after this long without a request. */
    sessionIdleMs: ms(300_000),
    /** HTTP mode: open sessions (each with its own upstream processes) per agent key and in all. */
    sessions: z
      .object({ maxPerKey: count(10), maxTotal: count(100) })
      .strict()
      .prefault({}),
    servers: z.record(serverId, upstreamSchema).default({}),
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;

export interface GatewayConfig extends Omit<ConfigFile, "mandate" | "listen" | "servers"> {
  mode: "stdio" | "http";
  /** tokenFile: the platform token to exchange for a federated access token (stdio mode), instead of apiKey. */
  /** dpop: the federated access token is DPoP-bound (RFC 9449) to a key pair made in memory at start. */
  mandate: { url: string; apiKey?: string; tokenFile?: string; dpop: boolean; timeoutMs: number };
  listen?: { host: string; port: number };
  servers: Record<string, UpstreamConfig>;
  spoolDir: string;
}

export class ConfigError extends Error {}

export interface CliInput {
  mode: "stdio" | "http";
  configPath?: string;
  server?: string;
  command?: string[];
  listen?: string;
  spoolDir?: string;
  tokenFile?: string;
  dpop?: boolean;
}

function formatIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `  - ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  return `invalid configuration in ${where}:\n${lines.join("\n")}`;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function defaultSpoolDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "mandate-gateway", "spool");
}

/** Merges file, environment and flags into one validated configuration, or throws ConfigError. */
export function loadConfig(cli: CliInput, env: Record<string, string | undefined> = process.env): GatewayConfig {
  const raw = cli.configPath ? readConfigFile(cli.configPath) : {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(cli.configPath ?? "defaults", parsed.error));
  const file = parsed.data;
  const baseDir = cli.configPath ? dirname(resolve(cli.configPath)) : process.cwd();

  const url = env.MANDATE_URL || file.mandate.url;
  if (!url) throw new ConfigError("MANDATE_URL is not set (environment) and mandate.url is missing from the config file");
  const urlCheck = z.url({ protocol: /^https?$/ }).safeParse(url);
  if (!urlCheck.success) throw new ConfigError(`MANDATE_URL is not an http(s) URL: ${url}`);
  const apiKey = env.MANDATE_API_KEY || undefined;
  const tokenFileRaw = cli.tokenFile ?? (env.MANDATE_TOKEN_FILE || undefined);
  const tokenFile = tokenFileRaw ? resolve(tokenFileRaw) : undefined;
  if (tokenFile && apiKey) throw new ConfigError("MANDATE_API_KEY and --token-file/MANDATE_TOKEN_FILE are both set: use one credential");
  const dpopEnv = env.MANDATE_DPOP;
  if (dpopEnv !== undefined && dpopEnv !== "" && dpopEnv !== "0" && dpopEnv !== "1")
    throw new ConfigError(`MANDATE_DPOP must be 1 or 0, not ${JSON.stringify(dpopEnv)}`);
  const dpop = cli.dpop === true || dpopEnv === "1";
  if (dpop && !tokenFile) throw new ConfigError("--dpop/MANDATE_DPOP binds the access token exchanged for --token-file/MANDATE_TOKEN_FILE: give a token file");
  if (tokenFile && cli.mode !== "stdio")
    throw new ConfigError("--token-file/MANDATE_TOKEN_FILE is for stdio mode: in http mode each MCP client presents its own credential");

  const servers: Record<string, UpstreamConfig> = { ...file.servers };
  let listen: GatewayConfig["listen"];
  if (cli.mode === "stdio") {
    if (!apiKey && !tokenFile)
      throw new ConfigError(
        "MANDATE_API_KEY is not set: stdio mode needs the agent's Mandate API key, or a platform token file (--token-file, MANDATE_TOKEN_FILE)",
      );
    if (!cli.server) throw new ConfigError("--server <id> is required in stdio mode");
    const id = serverId.safeParse(cli.server);
    if (!id.success) throw new ConfigError(`--server ${JSON.stringify(cli.server)}: ${id.error.issues[0]?.message}`);
    if (!cli.command || cli.command.length === 0)
      throw new ConfigError("the upstream server command is missing: mandate-gateway stdio --server <id> -- <command> [args...]");
    const [command, ...args] = cli.command;
    for (const k of Object.keys(servers)) delete servers[k];
    servers[cli.server] = { command: command, args, env: {} };
  } else {
    const l = cli.listen ?? file.listen;
    if (!l) throw new ConfigError('--listen host:port is required in http mode (or "listen" in the config file)');
    const lc = listenSchema.safeParse(l);
    if (!lc.success) throw new ConfigError(`--listen ${l}: ${lc.error.issues[0]?.message}`);
    const i = l.lastIndexOf(":");
    const port = Number(l.slice(i + 1));
    if (port > 65535) throw new ConfigError(`--listen ${l}: port out of range`);
    listen = { host: l.slice(0, i).replace(/^\[|\]$/g, ""), port };
    if (!cli.configPath) throw new ConfigError("--config <file> is required in http mode");
    if (Object.keys(servers).length === 0) throw new ConfigError(`${cli.configPath}: "servers" must name at least one upstream`);
  }
  for (const s of Object.values(servers)) if ("command" in s && s.cwd) s.cwd = resolve(baseDir, s.cwd);

  const sessions = { ...file.sessions };
  let sessionIdleMs = file.sessionIdleMs;
  const fromEnv = (name: string, schema: z.ZodType<number>): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    const r = schema.safeParse(n);
    if (!r.success) throw new ConfigError(`${name}=${JSON.stringify(raw)}: ${Number.isNaN(n) ? "must be a whole number" : r.error.issues[0]?.message}`);
    return r.data;
  };
  sessions.maxPerKey = fromEnv(SESSION_ENV.maxPerKey, count(10)) ?? sessions.maxPerKey;
  sessions.maxTotal = fromEnv(SESSION_ENV.maxTotal, count(100)) ?? sessions.maxTotal;
  sessionIdleMs = fromEnv(SESSION_ENV.idleMs, ms(300_000)) ?? sessionIdleMs;

  const spoolDir = resolve(cli.spoolDir ?? file.events.spoolDir ?? defaultSpoolDir(env));
  return {
    ...file,
    sessions,
    sessionIdleMs,
    mode: cli.mode,
    mandate: { url: url.replace(/\/+$/, ""), apiKey, tokenFile, dpop, timeoutMs: file.mandate.timeoutMs },
    listen,
    servers,
    spoolDir,
  };
}
