/**
 * Everything that is not governed. With one upstream (stdio mode) every request goes to it unchanged.
 * With several (Streamable HTTP mode) lists are merged, prompt names are namespaced like tool names, and
 * resource URIs are routed to the server that listed them (or whose template matches; else the first
 * that can read it). An upstream's JSON-RPC error reaches the client unchanged (forwardRequest).
 */
import { ErrorCode, McpError, ResultSchema, type JSONRPCRequest, type Result } from "@modelcontextprotocol/sdk/types.js";
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { forwardRequest, type Extra, type RawRequest } from "./forwarding.ts";
import { NameTable } from "./names.ts";
import type { Upstream } from "./upstream.ts";

type Item = Record<string, unknown>;

export class Router {
  private prompts = new NameTable([]);
  private readonly uris = new Map<string, string>();
  private templates: Array<{ template: string; server: string }> = [];

  constructor(
    private readonly multi: boolean,
    private readonly upstreams: () => Upstream[],
    private readonly timeoutMs: number,
  ) {}

  async route(req: JSONRPCRequest, extra: Extra): Promise<Result> {
    if (!this.multi) {
      const up = this.upstreams()[0];
      if (!up || up.closed) throw new McpError(ErrorCode.InternalError, `upstream server "${up?.id}" is not available: ${up?.closeReason}`);
      return this.send(up, req, extra);
    }
    const p = (req.params ?? {}) as Item;
    switch (req.method) {
      case "ping":
        return {};
      case "resources/list":
        return { resources: (await this.merge("resources/list", "resources", "resources", (s, r) => this.uris.set(String(r.uri), s))).map(strip) };
      case "resources/templates/list": {
        this.templates = [];
        const resourceTemplates = await this.merge("resources/templates/list", "resourceTemplates", "resources", (server, t) =>
          this.templates.push({ template: String(t.uriTemplate), server }),
        );
        return { resourceTemplates: resourceTemplates.map(strip) };
      }
      case "resources/read":
      case "resources/subscribe":
      case "resources/unsubscribe":
        return this.byUri(String(p.uri), req, extra);
      case "prompts/list": {
        const prompts = await this.merge("prompts/list", "prompts", "prompts");
        return { prompts: prompts.map((x) => ({ ...x, name: this.prompts.exposed(String(x.__server), String(x.name)) })).map(strip) };
      }
      case "prompts/get":
        return this.byPrompt(String(p.name), req, extra, (name) => ({ ...p, name }));
      case "completion/complete": {
        const ref = (p.ref ?? {}) as Item;
        if (ref.type === "ref/prompt") return this.byPrompt(String(ref.name), req, extra, (name) => ({ ...p, ref: { ...ref, name } }));
        return this.byUri(String(ref.uri), req, extra);
      }
      case "logging/setLevel":
        await Promise.all(this.alive("logging").map((up) => this.send(up, req, extra).catch(() => undefined)));
        return {};
      default:
        throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${req.method}`);
    }
  }

  /**
   * Every page of a list from every upstream (Streamable HTTP mode), each item with its server; the
   * routing tables (URIs, templates, prompt names) are updated as route() would.
   */
  async listTagged(method: "resources/list" | "resources/templates/list" | "prompts/list"): Promise<Array<{ server: string; item: Item }>> {
    const key = method === "resources/list" ? "resources" : method === "prompts/list" ? "prompts" : "resourceTemplates";
    if (method === "resources/templates/list") this.templates = [];
    const items = await this.merge(method, key, method === "prompts/list" ? "prompts" : "resources", (server, it) => {
      if (method === "resources/list") this.uris.set(String(it.uri), server);
      if (method === "resources/templates/list") this.templates.push({ template: String(it.uriTemplate), server });
    });
    return items.map((x) => ({ server: String(x.__server), item: strip(x) }));
  }

  /** The prompt name a client sees for a server's prompt. */
  exposedPrompt(server: string, name: string): string {
    return this.prompts.exposed(server, name) ?? name;
  }

  /** The server and upstream name of an exposed prompt name (lists the prompts again when it is not known yet). */
  async resolvePrompt(exposed: string): Promise<{ server: string; name: string } | undefined> {
    if (!this.prompts.resolve(exposed)) await this.merge("prompts/list", "prompts", "prompts");
    return this.prompts.resolve(exposed) ?? undefined;
  }

  /**
   * The one server a resource URI belongs to: the server that listed it, else the server whose template
   * matches it (listing again once when neither is known). Undefined when none or several claim it.
   */
  async serverForUri(uri: string): Promise<string | undefined> {
    const find = () => {
      const listed = this.uris.get(uri);
      if (listed) return listed;
      const servers = new Set(this.templates.filter((t) => matches(t.template, uri)).map((t) => t.server));
      return servers.size === 1 ? [...servers][0] : undefined;
    };
    const first = find();
    if (first) return first;
    await Promise.all([this.listTagged("resources/list"), this.listTagged("resources/templates/list")]);
    return find();
  }

  /** The one server that listed exactly this URI template (listing the templates again once when none is known). */
  async serverForTemplate(template: string): Promise<string | undefined> {
    const find = () => {
      const servers = new Set(this.templates.filter((t) => t.template === template).map((t) => t.server));
      return servers.size === 1 ? [...servers][0] : undefined;
    };
    const first = find();
    if (first) return first;
    await this.listTagged("resources/templates/list");
    return find();
  }

  /** Sends a request to one named upstream (Streamable HTTP mode), unchanged. */
  sendTo(server: string, req: RawRequest, extra: Extra): Promise<Result> {
    const up = this.upstreams().find((u) => u.id === server && !u.closed);
    if (!up) throw new McpError(ErrorCode.InternalError, `upstream server "${server}" is not available`);
    return this.send(up, req, extra);
  }

  private alive(capability: "resources" | "prompts" | "logging" | "completions"): Upstream[] {
    return this.upstreams().filter((u) => !u.closed && u.capabilities[capability]);
  }

  private send(up: Upstream, req: RawRequest, extra: Extra): Promise<Result> {
    up.inflight.push(extra.requestId);
    return forwardRequest(up.client, { method: req.method, params: req.params }, extra, { timeoutMs: this.timeoutMs }).finally(() => {
      const i = up.inflight.lastIndexOf(extra.requestId);
      if (i >= 0) up.inflight.splice(i, 1);
    });
  }

  /** Every page of a list from every upstream with the capability, tagged with its server (`__server`). */
  private async merge(method: string, key: string, capability: "resources" | "prompts", seen?: (server: string, item: Item) => void): Promise<Item[]> {
    const per = await Promise.all(
      this.alive(capability).map(async (up) => {
        const items: Item[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 100; page++) {
          const res: Item = await up.client
            .request({ method, ...(cursor ? { params: { cursor } } : {}) }, ResultSchema, { timeout: this.timeoutMs })
            .catch(() => ({}));
          for (const it of (Array.isArray(res[key]) ? res[key] : []) as Item[]) {
            seen?.(up.id, it);
            items.push({ ...it, __server: up.id });
          }
          cursor = typeof res.nextCursor === "string" && res.nextCursor ? res.nextCursor : undefined;
          if (!cursor) break;
        }
        return items;
      }),
    );
    const all = per.flat();
    if (key === "prompts") this.prompts = new NameTable(all.map((x) => ({ server: String(x.__server), name: String(x.name) })));
    return all;
  }

  private async byPrompt(exposed: string, req: JSONRPCRequest, extra: Extra, rewrite: (name: string) => Item): Promise<Result> {
    let q = this.prompts.resolve(exposed);
    if (!q) {
      await this.merge("prompts/list", "prompts", "prompts");
      q = this.prompts.resolve(exposed);
    }
    const up = q && this.upstreams().find((u) => u.id === q.server && !u.closed);
    if (!up || !q) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${exposed}`);
    return this.send(up, { method: req.method, params: rewrite(q.name) }, extra);
  }

  private async byUri(uri: string, req: JSONRPCRequest, extra: Extra): Promise<Result> {
    const ups = this.alive("resources")
      .concat(this.alive("completions"))
      .filter((u, i, a) => a.indexOf(u) === i);
    const known = this.uris.get(uri) ?? this.templates.find((t) => t.template === uri || matches(t.template, uri))?.server;
    const first = ups.find((u) => u.id === known);
    const order = first ? [first, ...ups.filter((u) => u !== first)] : ups;
    // When no server can serve it, the error is the first one's: the server the URI belongs to, if known.
    let firstError: { error: unknown } | undefined;
    for (const up of order) {
      try {
        const res = await this.send(up, req, extra);
        if (req.method === "resources/read") this.uris.set(uri, up.id);
        return res;
      } catch (e) {
        firstError ??= { error: e };
        if (extra.signal.aborted) break;
      }
    }
    if (firstError) throw firstError.error;
    throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${uri}`);
  }
}

function matches(template: string, uri: string): boolean {
  try {
    return new UriTemplate(template).match(uri) !== null;
  } catch {
    return false;
  }
}

function strip(x: Item): Item {
  const { __server: _drop, ...rest } = x;
  return rest;
}
