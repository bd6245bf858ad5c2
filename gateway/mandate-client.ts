/**
 * Typed client for Mandate's data plane, as used by the gateway. Every body is validated against the
 * contract in lib/api/schemas.ts; anything unexpected (unreachable, non-2xx, invalid body) becomes a
 * MandateCallError, on which the gateway fails closed.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import {
  agentIdentity,
  approvalHandle,
  decisionResponse,
  eventsResponse,
  inventoryResponse,
  problem,
  visibleToolsResponse,
  observationResponse,
  type ObservationRequest,
  type AgentIdentity,
  type DecisionRequest,
  type DecisionResponse,
  type OutcomeEventInput,
  type Problem,
  type PromptDefinition,
  type PromptRef,
  type ResourceDefinition,
  type ResourceRef,
  type ToolDefinition,
  type ToolRef,
} from "../lib/api/schemas.ts";
import { requestJson, TransportError, type JsonResponse } from "./http-json.ts";
import { activeSpan, endWithError, injectTraceContext, SPAN_KIND, startSpan, TRACING, type Span } from "../lib/telemetry/tracing.ts";

/** GET /api/v1/approvals/{id}: the approval's id, status and expiry (other fields are kept but not needed). */
export const approvalStatusResponse = approvalHandle.pick({ id: true, status: true, expires_at: true }).passthrough();
export type ApprovalStatus = z.infer<typeof approvalStatusResponse>;

export type MandateCallErrorKind = "unreachable" | "http" | "invalid_response";

export class MandateCallError extends Error {
  constructor(
    message: string,
    readonly kind: MandateCallErrorKind,
    readonly status?: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

/** A short, non-reversible fingerprint of an API key, used to name spool folders; never the key itself. */
export function keyFingerprint(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 16);
}

export class MandateClient {
  readonly fingerprint: string;
  private readonly base: string;

  constructor(
    private readonly opts: {
      url: string;
      apiKey: string;
      /**
       * When set, the Authorization (and DPoP) headers of each call, for its method and URL (a federated access
       * token that is renewed, DPoP-bound or not: token-file.ts); apiKey then only names the spool.
       */
      credential?: (method: string, url: URL) => Promise<Record<string, string>>;
      timeoutMs: number;
      userAgent?: string;
      /** Mandate answered 401 to a request with this key (unknown, revoked, expired). */
      onUnauthorized?: (fingerprint: string) => void;
    },
  ) {
    this.base = opts.url.replace(/\/+$/, "");
    this.fingerprint = keyFingerprint(opts.apiKey);
  }

  get url(): string {
    return this.base;
  }

  /** GET /api/v1/agents/me: whom this key belongs to (401 from Mandate: the key is not valid). */
  whoami(signal?: AbortSignal): Promise<AgentIdentity> {
    return this.call("GET", "/api/v1/agents/me", undefined, agentIdentity, signal);
  }

  decide(req: DecisionRequest, signal?: AbortSignal): Promise<DecisionResponse> {
    return this.call("POST", "/api/v1/decisions", req, decisionResponse, signal);
  }

  visibleTools(
    req: { session?: { id: string }; tools: ToolRef[]; resources?: ResourceRef[]; prompts?: PromptRef[]; delegation_token?: string },
    signal?: AbortSignal,
  ): Promise<z.infer<typeof visibleToolsResponse>> {
    return this.call("POST", "/api/v1/tools/visible", req, visibleToolsResponse, signal);
  }

  /** Commits labels found in an allowed call's result to its session; resolves once they are in PostgreSQL. */
  observe(req: ObservationRequest, signal?: AbortSignal): Promise<z.infer<typeof observationResponse>> {
    return this.call("POST", "/api/v1/observations", req, observationResponse, signal);
  }

  reportInventory(req: {
    server: string;
    tools: ToolDefinition[];
    resources?: ResourceDefinition[];
    prompts?: PromptDefinition[];
  }): Promise<z.infer<typeof inventoryResponse>> {
    return this.call("POST", "/api/v1/inventory", req, inventoryResponse);
  }

  sendEvents(events: OutcomeEventInput[]): Promise<z.infer<typeof eventsResponse>> {
    return this.call("POST", "/api/v1/events", { events }, eventsResponse);
  }

  getApproval(id: string, signal?: AbortSignal): Promise<ApprovalStatus> {
    return this.call("GET", `/api/v1/approvals/${encodeURIComponent(id)}`, undefined, approvalStatusResponse, signal);
  }

  private call<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    return TRACING ? this.tracedCall(method, path, body, schema, signal) : this.send(method, path, body, schema, signal);
  }

  /**
   * Traces on: a request made for a traced MCP request (an active span) is an HTTP client span, and its
   * W3C `traceparent` header carries that span to Mandate (whose decision span is its child).
   */
  private async tracedCall<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const parent = activeSpan();
    if (!parent) return this.send(method, path, body, schema, signal);
    const url = new URL(this.base + path);
    const route = path.startsWith("/api/v1/approvals/") ? "/api/v1/approvals/{id}" : path;
    const span = startSpan(
      `${method} ${route}`,
      SPAN_KIND.client,
      {
        "http.request.method": method,
        "url.full": url.href,
        "server.address": url.hostname,
        "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80),
      },
      parent,
    );
    try {
      const out = await this.send(method, path, body, schema, signal, span);
      span?.end();
      return out;
    } catch (e) {
      if (e instanceof MandateCallError && e.status) span?.setAttribute("http.response.status_code", e.status);
      endWithError(span, e, e instanceof MandateCallError ? (e.kind === "http" ? String(e.status) : e.kind) : undefined);
      throw e;
    }
  }

  private async send<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
    span?: Span,
  ): Promise<z.infer<S>> {
    let res: JsonResponse;
    try {
      const url = new URL(this.base + path);
      const auth = this.opts.credential ? await this.opts.credential(method, url) : { authorization: `Bearer ${this.opts.apiKey}` };
      const headers: Record<string, string> = { ...auth, "user-agent": this.opts.userAgent ?? "mandate-gateway" };
      if (span) injectTraceContext(span, headers);
      res = await requestJson(method, url, { body, timeoutMs: this.opts.timeoutMs, signal, headers });
      span?.setAttribute("http.response.status_code", res.status);
    } catch (e) {
      const msg = e instanceof TransportError ? e.message : String(e);
      throw new MandateCallError(`Mandate is unreachable (${method} ${path}): ${msg}`, "unreachable");
    }
    if (res.status < 200 || res.status >= 300) {
      if (res.status === 401) this.opts.onUnauthorized?.(this.fingerprint);
      const p = problem.safeParse(res.body);
      const detail = p.success ? [p.data.title, p.data.detail].filter(Boolean).join(": ") : res.text.slice(0, 300);
      const fields = p.success && p.data.errors?.length ? ` (${p.data.errors.map((x) => `${x.path}: ${x.message}`).join("; ")})` : "";
      throw new MandateCallError(
        `Mandate answered ${res.status} to ${method} ${path}: ${detail || "no detail"}${fields}`,
        "http",
        res.status,
        p.success ? p.data : undefined,
      );
    }
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MandateCallError(
        `Mandate sent an invalid response to ${method} ${path}: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unparseable"}`,
        "invalid_response",
        res.status,
      );
    }
    return parsed.data;
  }
}
