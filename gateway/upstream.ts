/**
 * One connection from the gateway to an upstream MCP server: a child process over stdio, or a Streamable
 * HTTP endpoint. Each client session of the gateway gets its own upstream connections, so that
 * server-to-client requests, subscriptions and per-session state stay with the client they belong to.
 */
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { abortIsolatingFetch } from "./isolating-fetch.ts";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type {
  ClientCapabilities,
  Implementation,
  JSONRPCRequest,
  Notification,
  RequestId,
  Result,
  ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { buildChildEnv } from "./child-env.ts";
import type { UpstreamConfig } from "./config.ts";
import { TransparentClient, type Extra } from "./forwarding.ts";

export interface UpstreamHooks {
  /** A request from the upstream server to the client (sampling, elicitation, roots, ping). */
  onRequest(upstream: Upstream, req: JSONRPCRequest, extra: Extra): Promise<Result>;
  onNotification(upstream: Upstream, n: Notification): Promise<void>;
  onClose(upstream: Upstream): void;
}

export interface UpstreamOptions {
  clientInfo: Implementation;
  capabilities: ClientCapabilities;
  /** Environment the child inherits before filtering (stdio mode: the gateway's; HTTP mode: a safe default set). */
  inheritEnv: Record<string, string | undefined>;
  /** Values that must never reach the child's environment. */
  secrets: string[];
  timeoutMs: number;
  stderr: "inherit" | "ignore";
}

export class Upstream {
  readonly client: TransparentClient;
  capabilities: ServerCapabilities = {};
  serverInfo: Implementation = { name: "unknown", version: "0" };
  instructions: string | undefined;
  closed = false;
  closeReason = "";
  /** Ids of client requests currently forwarded to this upstream (newest last). */
  readonly inflight: RequestId[] = [];
  private transport: Transport | undefined;

  private constructor(
    readonly id: string,
    readonly config: UpstreamConfig,
    opts: UpstreamOptions,
    hooks: UpstreamHooks,
  ) {
    this.client = new TransparentClient(opts.clientInfo, { capabilities: opts.capabilities });
    this.client.removeRequestHandler("ping");
    this.client.fallbackRequestHandler = (req, extra) => hooks.onRequest(this, req, extra);
    this.client.fallbackNotificationHandler = (n) => hooks.onNotification(this, n);
    this.client.onclose = () => {
      if (this.closed) return;
      this.closed = true;
      this.closeReason ||= "connection closed (the server process exited or the endpoint went away)";
      hooks.onClose(this);
    };
    this.client.onerror = () => {};
  }

  static async connect(id: string, config: UpstreamConfig, opts: UpstreamOptions, hooks: UpstreamHooks): Promise<Upstream> {
    const up = new Upstream(id, config, opts, hooks);
    await up.start(opts);
    return up;
  }

  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  describe(): string {
    return "command" in this.config ? `${this.config.command} ${this.config.args.join(" ")}`.trim() : this.config.url;
  }

  private async start(opts: UpstreamOptions): Promise<void> {
    if ("command" in this.config) {
      const env = buildChildEnv({ inherited: opts.inheritEnv, configured: this.config.env, secrets: opts.secrets });
      this.transport = new StdioClientTransport({
        command: this.config.command,
        args: this.config.args,
        env,
        cwd: this.config.cwd,
        stderr: opts.stderr,
      });
    } else {
      this.transport = new StreamableHTTPClientTransport(new URL(this.config.url), {
        requestInit: { headers: this.config.headers },
        fetch: abortIsolatingFetch(), // no abort listener per request on the connection's signal
      });
    }
    try {
      await this.client.connect(this.transport, { timeout: opts.timeoutMs });
    } catch (e) {
      this.closed = true;
      this.closeReason = `could not start: ${(e as Error).message}`;
      await this.client.close().catch(() => {});
      throw new Error(`upstream server "${this.id}" (${this.describe()}) ${this.closeReason}`);
    }
    this.capabilities = this.client.getServerCapabilities() ?? {};
    this.serverInfo = this.client.getServerVersion() ?? this.serverInfo;
    this.instructions = this.client.getInstructions();
  }

  async close(reason = "closed by the gateway"): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.closeReason = reason;
    }
    await this.client.close().catch(() => {});
  }
}

/** The environment a child inherits when none is configured: the SDK's safe default set. */
export function defaultInheritedEnv(): Record<string, string> {
  return getDefaultEnvironment();
}
