/**
 * One client connection to the gateway: a transparent Server facing the client, and one Client per
 * upstream server. initialize is answered with the upstream's own result (stdio mode) or a merge of all
 * upstreams (HTTP mode); the upstreams are started with the client's real capabilities and clientInfo,
 * so a server offers exactly what it would offer that client directly. tools/*, resources/* and
 * prompts/* are governed; the other MCP methods are relayed in both directions, and a method the MCP specification does
 * not define is refused (requests) or dropped (notifications): methods.ts.
 */
import { randomUUID } from "node:crypto";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  McpError,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ClientCapabilities,
  type Implementation,
  type JSONRPCRequest,
  type Notification,
  type RequestId,
  type Result,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import type { GatewayConfig } from "./config.ts";
import { forwardNotification, forwardRequest, TransparentServer, type Extra } from "./forwarding.ts";
import { Governance } from "./governance.ts";
import { CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, refuseUnknownRequest, SERVER_NOTIFICATIONS, SERVER_REQUESTS } from "./methods.ts";
import type { InventoryCache } from "./inventory.ts";
import type { MandateClient } from "./mandate-client.ts";
import type { OutcomeReporter } from "./reporter.ts";
import { Router } from "./router.ts";
import { ItemGovernance } from "./item-governance.ts";

/** Resources and prompts: listed through Mandate's filter, used only when Mandate allows (item-governance.ts). */
const GOVERNED_LISTS = new Set(["resources/list", "resources/templates/list", "prompts/list"]);
const GOVERNED_USES = new Set(["resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/get"]);
import { Upstream, type UpstreamHooks } from "./upstream.ts";
import { GATEWAY_VERSION } from "./version.ts";

export interface SessionDeps {
  config: GatewayConfig;
  mandate: MandateClient;
  reporter: OutcomeReporter;
  inventory: InventoryCache;
  multi: boolean;
  inheritEnv: Record<string, string | undefined>;
  secrets: string[];
  stderr: "inherit" | "ignore";
  log(message: string): void;
  onUpstreamClosed?(session: GatewaySession, upstream: Upstream): void;
}

export class GatewaySession {
  readonly server = new TransparentServer({ name: "mandate-gateway", version: GATEWAY_VERSION }, { capabilities: {} });
  readonly mandateSessionId = randomUUID();
  private ups: Upstream[] = [];
  private initialized = false;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((r) => (this.markReady = r));
  private readonly inflight: RequestId[] = [];
  private readonly governance: Governance;
  private readonly router: Router;
  private readonly items: ItemGovernance;

  constructor(private readonly deps: SessionDeps) {
    for (const m of ["initialize", "ping"]) this.server.removeRequestHandler(m);
    this.server.removeNotificationHandler("notifications/initialized");
    this.server.fallbackRequestHandler = (req, extra) => this.onRequest(req, extra);
    this.server.fallbackNotificationHandler = (n) => this.onNotification(n);
    this.server.onerror = () => {};
    const governed = {
      config: deps.config,
      mandate: deps.mandate,
      reporter: deps.reporter,
      inventory: deps.inventory,
      sessionId: this.mandateSessionId,
      multi: deps.multi,
      upstreams: () => this.ups,
      log: (message: string) => deps.log(message),
    };
    this.governance = new Governance(governed);
    this.router = new Router(deps.multi, () => this.ups, deps.config.upstreamTimeoutMs);
    this.items = new ItemGovernance(governed, this.router);
  }

  get upstreams(): readonly Upstream[] {
    return this.ups;
  }

  connect(transport: Transport): Promise<void> {
    return this.server.connect(transport);
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.ups.map((u) => u.close()));
    await this.server.close().catch(() => {});
  }

  private async onRequest(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    refuseUnknownRequest(req.method, CLIENT_REQUESTS, "client");
    if (req.method === "initialize") return this.initialize(req);
    if (!this.initialized) throw new McpError(ErrorCode.InvalidRequest, "the session is not initialized");
    this.markReady(); // a client that sends requests has finished initializing
    this.inflight.push(extra.requestId);
    try {
      if (req.method === "tools/list") return await this.governance.listTools(req, extra);
      if (req.method === "tools/call") return await this.governance.callTool(req, extra);
      if (GOVERNED_LISTS.has(req.method)) return await this.items.list(req, extra);
      if (GOVERNED_USES.has(req.method)) return await this.items.use(req, extra);
      return await this.router.route(req, extra);
    } finally {
      const i = this.inflight.lastIndexOf(extra.requestId);
      if (i >= 0) this.inflight.splice(i, 1);
    }
  }

  private async onNotification(n: Notification): Promise<void> {
    if (!CLIENT_NOTIFICATIONS.has(n.method)) return this.deps.log(`a client notification of unknown method "${n.method}" was not passed on`);
    if (n.method === "notifications/initialized") {
      this.markReady();
      return;
    }
    await Promise.all(this.ups.filter((u) => !u.closed).map((u) => forwardNotification(u.client, n).catch(() => {})));
  }

  private async initialize(req: JSONRPCRequest): Promise<Result> {
    if (this.initialized) throw new McpError(ErrorCode.InvalidRequest, "the session is already initialized");
    const p = (req.params ?? {}) as { protocolVersion?: string; capabilities?: ClientCapabilities; clientInfo?: Implementation };
    const ids = Object.keys(this.deps.config.servers);
    const settled = await Promise.allSettled(
      ids.map((id) =>
        Upstream.connect(
          id,
          this.deps.config.servers[id],
          {
            clientInfo: p.clientInfo ?? { name: "mcp-client", version: "0" },
            capabilities: p.capabilities ?? {},
            inheritEnv: this.deps.inheritEnv,
            secrets: this.deps.secrets,
            timeoutMs: this.deps.config.upstreamStartTimeoutMs,
            stderr: this.deps.stderr,
          },
          this.hooks,
        ),
      ),
    );
    if (this.closed) {
      // Closed while its upstreams were starting (DELETE, a revoked key, shutdown): none may outlive it.
      await Promise.all(settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.close()] : [])));
      throw new McpError(ErrorCode.ConnectionClosed, "the session was closed while it was initialized");
    }
    const failures: string[] = [];
    for (const s of settled) {
      if (s.status === "fulfilled") this.ups.push(s.value);
      else failures.push((s.reason as Error).message);
    }
    for (const f of failures) this.deps.log(f);
    if (!this.deps.multi && this.ups.length === 0) throw new McpError(ErrorCode.InternalError, failures.join("; "));
    this.initialized = true;
    const protocolVersion = p.protocolVersion && SUPPORTED_PROTOCOL_VERSIONS.includes(p.protocolVersion) ? p.protocolVersion : LATEST_PROTOCOL_VERSION;
    if (!this.deps.multi) {
      const up = this.ups[0];
      return {
        protocolVersion,
        capabilities: up.capabilities,
        serverInfo: up.serverInfo,
        ...(up.instructions ? { instructions: up.instructions } : {}),
      };
    }
    const instructions = this.ups
      .filter((u) => u.instructions)
      .map((u) => `## Server "${u.id}" (tools and prompts prefixed "${u.id}__")\n${u.instructions}`)
      .join("\n\n");
    return {
      protocolVersion,
      capabilities: mergeCapabilities(this.ups.map((u) => u.capabilities)),
      serverInfo: { name: "mandate-gateway", version: GATEWAY_VERSION },
      ...(instructions ? { instructions } : {}),
    };
  }

  private readonly hooks: UpstreamHooks = {
    onRequest: async (up, req, extra) => {
      refuseUnknownRequest(req.method, SERVER_REQUESTS, "server");
      await this.ready;
      const related = up.inflight.at(-1) ?? this.inflight.at(-1);
      const timeoutMs = this.deps.config.clientRequestTimeoutMs;
      try {
        return await forwardRequest(this.server, req, extra, { timeoutMs, relatedRequestId: related });
      } catch (e) {
        // The related client request finished meanwhile: send on the session's own stream instead.
        if (related !== undefined && /No connection established/.test(String((e as Error).message)))
          return forwardRequest(this.server, req, extra, { timeoutMs });
        throw e;
      }
    },
    onNotification: async (up, n) => {
      if (!SERVER_NOTIFICATIONS.has(n.method)) return this.deps.log(`a notification of unknown method "${n.method}" from "${up.id}" was not passed on`);
      await this.ready;
      await forwardNotification(this.server, n).catch(() => {});
    },
    onClose: (up) => {
      this.deps.log(`upstream server "${up.id}" went away: ${up.closeReason}`);
      this.deps.onUpstreamClosed?.(this, up);
    },
  };
}

/** Capabilities of several servers behind one endpoint (tasks are not offered across servers). */
export function mergeCapabilities(caps: ServerCapabilities[]): ServerCapabilities {
  const out: ServerCapabilities = { tools: { listChanged: true } };
  const any = (f: (c: ServerCapabilities) => unknown) => caps.some((c) => Boolean(f(c)));
  if (any((c) => c.resources)) out.resources = { subscribe: any((c) => c.resources?.subscribe), listChanged: any((c) => c.resources?.listChanged) };
  if (any((c) => c.prompts)) out.prompts = { listChanged: any((c) => c.prompts?.listChanged) };
  if (any((c) => c.logging)) out.logging = {};
  if (any((c) => c.completions)) out.completions = {};
  return out;
}
