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

import { refusal, ServerGovernance } from "./server-governance.ts";
import { stripMandateMeta } from "./governance.ts";
import * as R from "./results.ts";
import type { ServerAction } from "../lib/api/schemas.ts";

/** Resources and prompts: listed through Mandate's filter, used only when Mandate allows (item-governance.ts). */
const GOVERNED_LISTS = new Set(["resources/list", "resources/templates/list", "prompts/list"]);
const GOVERNED_USES = new Set(["resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/get", "completion/complete"]);
/** Client requests about a whole server, decided on it (server-governance.ts). */
const SERVER_METHODS = new Set(["logging/setLevel", "tasks/get", "tasks/result", "tasks/list", "tasks/cancel"]);
/** Requests a server sends to the client, decided with that server as the target; ping and tasks/* are relayed. */
const DECIDED_SERVER_REQUESTS = new Set(["sampling/createMessage", "elicitation/create", "roots/list"]);
import { Upstream, type UpstreamHooks } from "./upstream.ts";
import { tracedRequest } from "./tracing.ts";
import { TRACING } from "../lib/telemetry/tracing.ts";
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
  private readonly servers: ServerGovernance;

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
    this.servers = new ServerGovernance(governed);
  }

  /** Whether initialize succeeded (a refused one leaves the session uninitialized). */
  get isInitialized(): boolean {
    return this.initialized;
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

  private onRequest(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    return TRACING ? tracedRequest(req, this.deps.multi, () => this.handleRequest(req, extra)) : this.handleRequest(req, extra);
  }

  private async handleRequest(req: JSONRPCRequest, extra: Extra): Promise<Result> {
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
      if (SERVER_METHODS.has(req.method)) return await this.serverMethod(req, extra);
      return await this.router.route(req, extra);
    } finally {
      const i = this.inflight.lastIndexOf(extra.requestId);
      if (i >= 0) this.inflight.splice(i, 1);
    }
  }

  /**
   * logging/setLevel and tasks/*: decided on the server they go to. In HTTP mode logging/setLevel goes
   * to every server that offers logging: each is decided first, and one refusal refuses the request
   * (nothing is sent); tasks are not offered across servers (router.ts refuses them).
   */
  private async serverMethod(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const method = req.method as ServerAction;
    const params = req.params;
    const meta = params?._meta;
    if (!this.deps.multi) {
      const up = this.ups[0];
      if (!up || up.closed) throw new McpError(ErrorCode.InternalError, `upstream server "${up?.id}" is not available: ${up?.closeReason}`);
      const d = await this.servers.decide(up.id, method, params, meta, extra.signal);
      return this.servers.reported(d, () => this.router.route({ ...req, params: withoutMandateMeta(params) }, extra));
    }
    if (method !== "logging/setLevel") return this.router.route(req, extra);
    const targets = this.ups.filter((u) => !u.closed && u.capabilities.logging);
    const decisions = await Promise.all(targets.map((u) => this.servers.decide(u.id, method, params, meta, extra.signal)));
    const fwd = { method: req.method, params: withoutMandateMeta(params) };
    await Promise.all(targets.map((u, i) => this.servers.reported(decisions[i], () => this.router.sendTo(u.id, fwd, extra)).catch(() => undefined)));
    return {};
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
    const p = (req.params ?? {}) as {
      protocolVersion?: string;
      capabilities?: ClientCapabilities;
      clientInfo?: Implementation;
      _meta?: Record<string, unknown>;
    };
    const ids = await this.initializeAllowed(Object.keys(this.deps.config.servers), p._meta);
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

  /**
   * initialize is decided on each configured server before it is started (the server is first made
   * known to the inventory). stdio mode: a refusal refuses initialize. HTTP mode: a refused server is
   * not started (the others are); all refused, the first refusal. Mandate unreachable: refused.
   */
  private async initializeAllowed(ids: string[], meta: Record<string, unknown> | undefined): Promise<string[]> {
    const outcomes = await Promise.allSettled(
      ids.map(async (id) => {
        try {
          await this.servers.announce(id);
        } catch (e) {
          throw refusal(R.mandateUnavailableResult(`initialize on server ${id}`, (e as Error).message));
        }
        return this.servers.decide(id, "initialize", undefined, meta);
      }),
    );
    const allowed: string[] = [];
    let firstRefusal: Error | undefined;
    outcomes.forEach((o, i) => {
      if (o.status === "fulfilled") return void allowed.push(ids[i]);
      const code = (o.reason as { data?: { code?: string } }).data?.code;
      // Not a decision (Mandate unreachable, a bad request): nothing is started.
      if (code !== "denied" && code !== "approval_pending") throw o.reason;
      firstRefusal ??= o.reason as Error;
      this.deps.log(`server "${ids[i]}" is not started: ${(o.reason as Error).message}`);
    });
    if (allowed.length === 0 && firstRefusal) throw firstRefusal;
    return allowed;
  }

  private async relayToClient(up: Upstream, req: JSONRPCRequest, extra: Extra): Promise<Result> {
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
  }

  private readonly hooks: UpstreamHooks = {
    onRequest: async (up, req, extra) => {
      refuseUnknownRequest(req.method, SERVER_REQUESTS, "server");
      await this.ready;
      if (DECIDED_SERVER_REQUESTS.has(req.method)) {
        // The server cannot choose the session: the connection's own, without a delegation.
        const method = req.method as ServerAction;
        const d = await this.servers.decide(up.id, method, req.params, undefined, extra.signal);
        return this.servers.reported(d, async () => {
          await this.servers.inspectRequest(up.id, method, req.params, d, extra.signal);
          return this.relayToClient(up, req, extra);
        });
      }
      return this.relayToClient(up, req, extra);
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

/** The request's params without Mandate's own `_meta` keys (never passed to a server). */
function withoutMandateMeta(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!params?._meta || typeof params._meta !== "object") return params;
  const meta = stripMandateMeta(params._meta as Record<string, unknown>);
  const { _meta: _drop, ...rest } = params;
  return Object.keys(meta).length ? { ...rest, _meta: meta } : rest;
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
