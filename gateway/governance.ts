/**
 * The two governed MCP methods. tools/list: report the upstream tools to the inventory and return only
 * those Mandate says this agent may call (one tools/visible request). tools/call: ask for a decision,
 * forward only allowed calls (with the receipt in _meta), wait for approvals, report the outcome.
 * Mandate unreachable or answering errors: nothing is forwarded (fail closed).
 */
import { ErrorCode, McpError, type JSONRPCRequest, type Result } from "@modelcontextprotocol/sdk/types.js";
import type { DecisionRequest, DecisionResponse, ToolRef } from "../lib/api/schemas.ts";
import { waitForApproval } from "./approval.ts";
import type { GatewayConfig } from "./config.ts";
import { forwardRequest, progressTokenOf, type Extra } from "./forwarding.ts";
import { isGovernableName, listUpstreamTools, type InventoryCache, type RawTool } from "./inventory.ts";
import { MandateCallError, type MandateClient } from "./mandate-client.ts";
import { NameTable } from "./names.ts";
import { observeResult } from "./observation.ts";
import type { OutcomeReporter } from "./reporter.ts";
import * as R from "./results.ts";
import type { Upstream } from "./upstream.ts";
import { injectTraceContext, TRACING } from "../lib/telemetry/tracing.ts";
import { endUpstreamSpan, outcomeSpan, traceDecision, upstreamSpan } from "./tracing.ts";
import type { OutcomeEventInput } from "../lib/api/schemas.ts";

/** _meta keys a client may put in request params; they are stripped before forwarding upstream. */
export const META_SESSION = "mandate/session";
export const META_DELEGATION = "mandate/delegation_token";
export const META_RECEIPT = "mandate/receipt";
/** JSON-RPC errors that mean the upstream went away, not that it answered with an error. */
const TRANSPORT_ERROR_CODES = new Set<number>([ErrorCode.ConnectionClosed, ErrorCode.RequestTimeout]);

export interface GovernanceContext {
  config: GatewayConfig;
  mandate: MandateClient;
  reporter: OutcomeReporter;
  inventory: InventoryCache;
  /** The Mandate session of this client connection (used unless the request names one in _meta). */
  sessionId: string;
  /** Streamable HTTP mode: several upstreams, names namespaced. */
  multi: boolean;
  upstreams(): Upstream[];
  log(message: string): void;
}

type Meta = Record<string, unknown>;

export function metaString(meta: Meta | undefined, key: string): string | undefined {
  const v = meta?.[key];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function stripMandateMeta(meta: Meta | undefined): Meta {
  const out: Meta = {};
  for (const [k, v] of Object.entries(meta ?? {})) if (!k.startsWith("mandate/")) out[k] = v;
  return out;
}

/**
 * The arguments of a tools/call: an object, or absent (= {}, decided and forwarded as such). Anything
 * else (null, an array, a string…) is not what MCP defines: refused as invalid params, neither decided
 * nor forwarded.
 */
function argumentsOf(v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    const kind = v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
    throw new McpError(ErrorCode.InvalidParams, `tools/call: params.arguments must be an object, not ${kind} (the call was neither decided nor forwarded)`);
  }
  return v as Record<string, unknown>;
}

/** Mandate refused the decision request because of its arguments (a 400 naming them): nothing to retry. */
function refusedArguments(e: MandateCallError): boolean {
  return (
    e.status === 400 && (e.problem?.errors ?? []).some((x) => x.path === "arguments" || x.path.startsWith("arguments.") || x.path.startsWith("arguments["))
  );
}

function failClosed(what: string, e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  throw new McpError(ErrorCode.InternalError, `Mandate gateway: ${what}: ${msg} (fail closed: nothing was forwarded)`);
}

export class Governance {
  private table = new NameTable([]);

  constructor(private readonly ctx: GovernanceContext) {}

  private toolUpstreams(): Upstream[] {
    return this.ctx.upstreams().filter((u) => !u.closed && (!this.ctx.multi || u.capabilities.tools));
  }

  private async listAll(signal?: AbortSignal): Promise<Array<{ up: Upstream; tools: RawTool[] }>> {
    const ups = this.toolUpstreams();
    if (!this.ctx.multi && ups.length === 0) {
      const dead = this.ctx.upstreams()[0];
      throw new McpError(ErrorCode.InternalError, `upstream server "${dead?.id}" is not available: ${dead?.closeReason}`);
    }
    const settled = await Promise.allSettled(ups.map(async (up) => ({ up, tools: await listUpstreamTools(up, this.ctx.config.upstreamTimeoutMs, signal) })));
    const lists: Array<{ up: Upstream; tools: RawTool[] }> = [];
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") lists.push(s.value);
      else if (!this.ctx.multi) throw s.reason;
      else this.ctx.log(`tools/list: upstream "${ups[i].id}" failed, its tools are left out: ${(s.reason as Error).message}`);
    });
    const refs = lists.flatMap((l) => l.tools.map((t) => ({ server: l.up.id, name: t.name })));
    if (this.ctx.multi) this.table = new NameTable(refs);
    return lists;
  }

  async listTools(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const meta = req.params?._meta;
    const lists = await this.listAll(extra.signal);
    try {
      await Promise.all(lists.map((l) => this.ctx.inventory.report(this.ctx.mandate, l.up.id, l.tools)));
    } catch (e) {
      failClosed("cannot report the tool inventory", e);
    }
    const refs: ToolRef[] = lists.flatMap((l) => l.tools.filter((t) => isGovernableName(t.name)).map((t) => ({ server: l.up.id, name: t.name })));
    const visible = new Set<string>();
    const sessionId = metaString(meta, META_SESSION) ?? this.ctx.sessionId;
    const token = metaString(meta, META_DELEGATION);
    for (let i = 0; i < refs.length; i += 1000) {
      try {
        const res = await this.ctx.mandate.visibleTools(
          { session: { id: sessionId }, tools: refs.slice(i, i + 1000), ...(token ? { delegation_token: token } : {}) },
          extra.signal,
        );
        for (const r of res.tools) visible.add(`${r.server}\0${r.name}`);
      } catch (e) {
        failClosed("cannot ask which tools are visible", e);
      }
    }
    const tools = lists.flatMap((l) =>
      l.tools.filter((t) => visible.has(`${l.up.id}\0${t.name}`)).map((t) => (this.ctx.multi ? { ...t, name: this.table.exposed(l.up.id, t.name)! } : t)),
    );
    return { tools };
  }

  private async resolve(name: string, signal: AbortSignal): Promise<{ up: Upstream; tool: string } | undefined> {
    const all = this.ctx.upstreams();
    if (!this.ctx.multi) return all[0] ? { up: all[0], tool: name } : undefined;
    let q = this.table.resolve(name);
    if (!q) {
      await this.listAll(signal).catch(() => undefined);
      q = this.table.resolve(name);
    }
    const up = q && all.find((u) => u.id === q.server);
    return up && q ? { up, tool: q.name } : undefined;
  }

  async callTool(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const params = (req.params ?? {}) as Record<string, unknown> & { name?: unknown; arguments?: unknown; _meta?: Meta };
    if (typeof params.name !== "string") throw new McpError(ErrorCode.InvalidParams, "tools/call: params.name must be a string");
    const args = argumentsOf(params.arguments);
    const target = await this.resolve(params.name, extra.signal);
    if (!target) return R.unknownToolResult(params.name);
    const { up, tool } = target;
    const label = `${up.id}/${tool}`;
    if (up.closed) return R.upstreamUnavailableResult(label, up.id, up.closeReason);

    const token = metaString(params._meta, META_DELEGATION);
    const decisionReq: DecisionRequest = {
      session: { id: metaString(params._meta, META_SESSION) ?? this.ctx.sessionId },
      tool: { server: up.id, name: tool },
      arguments: args,
      ...(token ? { delegation_token: token } : {}),
    };
    const progressToken = progressTokenOf(req);
    let waitedMs = 0;
    for (let round = 0; ; round++) {
      let d: DecisionResponse;
      try {
        d = await this.ctx.mandate.decide(decisionReq, extra.signal);
      } catch (e) {
        if (extra.signal.aborted) throw e;
        if (e instanceof MandateCallError && refusedArguments(e)) return R.invalidArgumentsResult(label, e.problem!);
        return R.mandateUnavailableResult(label, e instanceof MandateCallError ? e.message : String(e));
      }
      if (TRACING) traceDecision(d);
      if (d.decision === "allow") return this.forward(up, tool, { ...params, arguments: args }, d, extra);
      if (d.decision === "deny") return R.deniedResult(label, d);
      // require_approval
      if (!d.approval || round >= 3) return R.approvalPendingResult(label, d, waitedMs);
      const remaining = this.ctx.config.approval.waitMs - waitedMs;
      if (remaining <= 0) return R.approvalPendingResult(label, d, waitedMs);
      const t0 = Date.now();
      const outcome = await waitForApproval({
        mandate: this.ctx.mandate,
        approvalId: d.approval.id,
        waitMs: remaining,
        pollMs: this.ctx.config.approval.pollMs,
        signal: extra.signal,
        onProgress:
          progressToken === undefined
            ? undefined
            : (tick, message) => {
                extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: tick, message } }).catch(() => {});
              },
      });
      waitedMs += Date.now() - t0;
      if (outcome.status === "pending") return R.approvalPendingResult(label, d, waitedMs);
      if (outcome.status === "denied" || outcome.status === "expired") return R.approvalClosedResult(label, d, outcome.status);
      // approved (or already used by an identical retry): ask again, the decision now sees the approval
    }
  }

  /** Spools an outcome event for Mandate (the `mandate.outcome` span when traced). */
  private report(ev: OutcomeEventInput): void {
    const span = TRACING ? outcomeSpan(ev.decision_id, ev.status) : undefined;
    this.ctx.reporter.record(this.ctx.mandate, ev);
    span?.end();
  }

  private async forward(up: Upstream, tool: string, params: Record<string, unknown> & { _meta?: Meta }, d: DecisionResponse, extra: Extra): Promise<Result> {
    const meta = stripMandateMeta(params._meta);
    if (d.receipt) meta[META_RECEIPT] = d.receipt;
    const fwd: Record<string, unknown> = { ...params, name: tool };
    if (Object.keys(meta).length > 0) fwd._meta = meta;
    else delete fwd._meta;
    // Traced: the upstream's parent is this call's span, not the client's (its traceparent is replaced).
    const span = TRACING ? upstreamSpan(up.id, tool, d.decision_id) : undefined;
    if (span) injectTraceContext(span, (fwd._meta ??= {}) as Record<string, unknown>);
    const t0 = performance.now();
    up.inflight.push(extra.requestId);
    const event = { event_id: `${d.decision_id}:outcome`, decision_id: d.decision_id };
    try {
      const result = await forwardRequest(up.client, { method: "tools/call", params: fwd }, extra, {
        timeoutMs: this.ctx.config.upstreamTimeoutMs,
      });
      endUpstreamSpan(span, result);
      this.report({
        ...event,
        status: result.isError === true ? "error" : "success",
        duration_ms: performance.now() - t0,
        result_size: Buffer.byteLength(JSON.stringify(result)),
      });
      const observed = await observeResult(this.ctx.mandate, "tools/call", result, d, metaString(params._meta, META_DELEGATION), extra.signal);
      if (!observed.ok) return R.resultWithheldResult(`${up.id}/${tool}`, d, observed.labels, observed.message);
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      endUpstreamSpan(span, undefined, e);
      this.report({
        ...event,
        status: "error",
        duration_ms: performance.now() - t0,
        error: message.slice(0, 4000),
      });
      if (extra.signal.aborted) throw e;
      const transportFailure = up.closed || !(e instanceof McpError) || TRANSPORT_ERROR_CODES.has(e.code);
      if (transportFailure) return R.upstreamUnavailableResult(`${up.id}/${tool}`, up.id, up.closed ? up.closeReason : message);
      throw e; // the upstream's own JSON-RPC error, passed through unchanged
    } finally {
      const i = up.inflight.lastIndexOf(extra.requestId);
      if (i >= 0) up.inflight.splice(i, 1);
    }
  }
}
