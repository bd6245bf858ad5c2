/**
 * Resources and prompts, governed like tools (issue 15). The list methods (resources/list,
 * resources/templates/list, prompts/list) report what the servers list to the inventory and return only
 * what Mandate says this agent may use (one visibility request per 1,000 items). resources/read,
 * resources/subscribe, resources/unsubscribe and prompts/get are decided first: an allowed request is
 * forwarded to the one server the resource or prompt belongs to, with the receipt in _meta, and its
 * outcome reported; anything else is a JSON-RPC error whose `data` is the `mandate/error` object.
 * Mandate unreachable or answering errors: nothing is forwarded or listed (fail closed).
 */
import { ErrorCode, McpError, type JSONRPCRequest, type Result } from "@modelcontextprotocol/sdk/types.js";
import {
  promptDefinition,
  promptRef,
  resourceDefinition,
  resourceRef,
  type DecisionRequest,
  type DecisionResponse,
  type PromptDefinition,
  type PromptRef,
  type ResourceDefinition,
  type ResourceRef,
} from "../lib/api/schemas.ts";
import type { Extra } from "./forwarding.ts";
import { META_DELEGATION, META_RECEIPT, META_SESSION, metaString, stripMandateMeta, type GovernanceContext } from "./governance.ts";
import { MandateCallError } from "./mandate-client.ts";
import { observeResult } from "./observation.ts";
import * as R from "./results.ts";
import type { Router } from "./router.ts";

/** The JSON-RPC error code of a resource or prompt request Mandate did not allow (implementation-defined range). */
export const MANDATE_REFUSED = -32003;

type Item = Record<string, unknown>;
type Meta = Record<string, unknown>;
type ListMethod = "resources/list" | "resources/templates/list" | "prompts/list";
const LIST_KEY: Record<ListMethod, string> = { "resources/list": "resources", "resources/templates/list": "resourceTemplates", "prompts/list": "prompts" };

/** The request's params without Mandate's own `_meta` keys (never passed to a server). */
function withoutMandateMeta(params: Item | undefined): Item | undefined {
  if (!params?._meta || typeof params._meta !== "object") return params;
  const meta = stripMandateMeta(params._meta as Meta);
  const { _meta: _drop, ...rest } = params;
  return Object.keys(meta).length ? { ...rest, _meta: meta } : rest;
}

function refusal(r: R.ToolErrorResult): McpError {
  return new McpError(MANDATE_REFUSED, r.content[0].text, r._meta["mandate/error"]);
}

export class ItemGovernance {
  constructor(
    private readonly ctx: GovernanceContext,
    private readonly router: Router,
  ) {}

  private sessionOf(meta: Meta | undefined): { session: { id: string }; delegation_token?: string } {
    const token = metaString(meta, META_DELEGATION);
    return { session: { id: metaString(meta, META_SESSION) ?? this.ctx.sessionId }, ...(token ? { delegation_token: token } : {}) };
  }

  private single(): string {
    const up = this.ctx.upstreams()[0];
    if (!up || up.closed) throw new McpError(ErrorCode.InternalError, `upstream server "${up?.id}" is not available: ${up?.closeReason}`);
    return up.id;
  }

  async list(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const method = req.method as ListMethod;
    const key = LIST_KEY[method];
    let page: Result = {};
    let tagged: Array<{ server: string; item: Item }>;
    if (!this.ctx.multi) {
      const server = this.single();
      // One page as the client asked for it (its cursor is passed on); the page is filtered.
      page = await this.router.sendTo(server, { method, params: withoutMandateMeta(req.params) }, extra);
      const items = Array.isArray(page[key]) ? (page[key] as Item[]) : [];
      tagged = items.map((item) => ({ server, item }));
    } else {
      tagged = await this.router.listTagged(method);
    }
    const governable = tagged.flatMap((t) => {
      const def = method === "prompts/list" ? promptDefinition.safeParse(t.item) : resourceDefinition.safeParse(t.item);
      return def.success ? [{ ...t, def: def.data }] : []; // what Mandate cannot name is never listed
    });
    const servers = [...new Set(governable.map((g) => g.server))];
    try {
      await Promise.all(
        servers.map((server) => {
          const defs = governable.filter((g) => g.server === server).map((g) => g.def);
          return this.ctx.inventory.reportItems(
            this.ctx.mandate,
            server,
            method === "prompts/list" ? { prompts: defs as PromptDefinition[] } : { resources: defs },
          );
        }),
      );
    } catch (e) {
      throw new McpError(ErrorCode.InternalError, `Mandate gateway: cannot report the inventory: ${(e as Error).message} (fail closed: nothing was listed)`);
    }
    const visible = new Set<string>();
    const scope = this.sessionOf(req.params?._meta);
    for (let i = 0; i < governable.length; i += 1000) {
      const chunk = governable.slice(i, i + 1000);
      try {
        if (method === "prompts/list") {
          const prompts: PromptRef[] = chunk.map((g) => promptRef.parse({ server: g.server, name: (g.def as PromptDefinition).name }));
          const res = await this.ctx.mandate.visibleTools({ ...scope, tools: [], prompts }, extra.signal);
          for (const p of res.prompts ?? []) visible.add(`${p.server}\0${p.name}`);
        } else {
          const resources: ResourceRef[] = chunk.map((g) => {
            const d = g.def as ResourceDefinition;
            return resourceRef.parse({ server: g.server, uri: d.uri ?? d.uriTemplate });
          });
          const res = await this.ctx.mandate.visibleTools({ ...scope, tools: [], resources }, extra.signal);
          for (const r of res.resources ?? []) visible.add(`${r.server}\0${r.uri}`);
        }
      } catch (e) {
        throw new McpError(ErrorCode.InternalError, `Mandate gateway: cannot ask what is visible: ${(e as Error).message} (fail closed: nothing was listed)`);
      }
    }
    const shown = governable
      .filter((g) => {
        const d = g.def as Item;
        return visible.has(`${g.server}\0${String(d.name && method === "prompts/list" ? d.name : (d.uri ?? d.uriTemplate))}`);
      })
      .map((g) => (this.ctx.multi && method === "prompts/list" ? { ...g.item, name: this.router.exposedPrompt(g.server, String(g.item.name)) } : g.item));
    return { ...page, [key]: shown };
  }

  /** resources/read, resources/subscribe, resources/unsubscribe, prompts/get and completion/complete. */
  async use(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const params = (req.params ?? {}) as Item & { _meta?: Meta };
    const scope = this.sessionOf(params._meta);
    let server: string;
    let decisionReq: DecisionRequest;
    let forwarded: Item;
    let label: string;
    if (req.method === "completion/complete") {
      // Decided on the prompt or the resource (template) its ref names, with the argument completed.
      const ref = params.ref as Item | undefined;
      const arg = params.argument as Item | undefined;
      if (!ref || typeof ref !== "object" || !arg || typeof arg !== "object" || typeof arg.name !== "string" || typeof arg.value !== "string")
        throw new McpError(
          ErrorCode.InvalidParams,
          "completion/complete: params.ref and params.argument {name, value} are required (the request was neither decided nor forwarded)",
        );
      const args = { argument: arg.name, value: arg.value };
      if (ref.type === "ref/prompt" && typeof ref.name === "string") {
        const target = this.ctx.multi ? await this.router.resolvePrompt(ref.name) : { server: this.single(), name: ref.name };
        if (!target) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
        server = target.server;
        label = `completion of prompt ${server}/${target.name}`;
        decisionReq = { ...scope, action: "completion/complete", prompt: { server, name: target.name }, arguments: args };
        forwarded = { ...params, ref: { ...ref, name: target.name } };
      } else if (ref.type === "ref/resource" && typeof ref.uri === "string") {
        const found = this.ctx.multi ? ((await this.router.serverForTemplate(ref.uri)) ?? (await this.router.serverForUri(ref.uri))) : this.single();
        if (!found) throw new McpError(-32002, `Resource not found: ${ref.uri}`);
        server = found;
        label = `completion of resource ${server}/${ref.uri}`;
        decisionReq = { ...scope, action: "completion/complete", resource: { server, uri: ref.uri }, arguments: args };
        forwarded = { ...params };
      } else {
        throw new McpError(ErrorCode.InvalidParams, "completion/complete: params.ref must be a ref/prompt with a name or a ref/resource with a uri");
      }
    } else if (req.method === "prompts/get") {
      if (typeof params.name !== "string") throw new McpError(ErrorCode.InvalidParams, "prompts/get: params.name must be a string");
      const args = params.arguments;
      if (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args)))
        throw new McpError(ErrorCode.InvalidParams, "prompts/get: params.arguments must be an object (the request was neither decided nor forwarded)");
      const target = this.ctx.multi ? await this.router.resolvePrompt(params.name) : { server: this.single(), name: params.name };
      if (!target) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${params.name}`);
      server = target.server;
      label = `prompt ${server}/${target.name}`;
      decisionReq = { ...scope, action: "prompts/get", prompt: { server, name: target.name }, arguments: (args ?? {}) as Record<string, unknown> };
      forwarded = { ...params, name: target.name };
    } else {
      if (typeof params.uri !== "string") throw new McpError(ErrorCode.InvalidParams, `${req.method}: params.uri must be a string`);
      const found = this.ctx.multi ? await this.router.serverForUri(params.uri) : this.single();
      if (!found) throw new McpError(-32002, `Resource not found: ${params.uri}`);
      server = found;
      label = `resource ${server}/${params.uri}`;
      decisionReq = { ...scope, action: req.method as DecisionRequest["action"], resource: { server, uri: params.uri }, arguments: {} };
      forwarded = { ...params };
    }
    let d: DecisionResponse;
    try {
      d = await this.ctx.mandate.decide(decisionReq, extra.signal);
    } catch (e) {
      if (extra.signal.aborted) throw e;
      if (e instanceof MandateCallError && e.status === 400 && e.problem) throw refusal(R.invalidArgumentsResult(label, e.problem));
      throw refusal(R.mandateUnavailableResult(label, e instanceof MandateCallError ? e.message : String(e)));
    }
    if (d.decision === "deny") throw refusal(R.deniedResult(label, d));
    if (d.decision === "require_approval") throw refusal(R.approvalPendingResult(label, d, 0));
    const meta = stripMandateMeta(params._meta);
    if (d.receipt) meta[META_RECEIPT] = d.receipt;
    if (Object.keys(meta).length > 0) forwarded._meta = meta;
    else delete forwarded._meta;
    const t0 = performance.now();
    const event = { event_id: `${d.decision_id}:outcome`, decision_id: d.decision_id };
    try {
      const result = await this.router.sendTo(server, { method: req.method, params: forwarded }, extra);
      this.ctx.reporter.record(this.ctx.mandate, {
        ...event,
        status: "success",
        duration_ms: performance.now() - t0,
        result_size: Buffer.byteLength(JSON.stringify(result)),
      });
      const observed = await observeResult(this.ctx.mandate, req.method, result, d, scope.delegation_token, extra.signal);
      if (!observed.ok) throw refusal(R.resultWithheldResult(label, d, observed.labels, observed.message));
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.reporter.record(this.ctx.mandate, { ...event, status: "error", duration_ms: performance.now() - t0, error: message.slice(0, 4000) });
      throw e; // the upstream's own JSON-RPC error, passed through unchanged
    }
  }
}
