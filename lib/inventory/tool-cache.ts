/**
 * The inventory as the decision path sees it: every known tool, resource (URI or URI-template family)
 * and prompt with its approved classification, held in memory and refreshed through the change feed.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";
import { isUriTemplate, templateMatches } from "./uri-template.ts";

import { itemKey, type ItemKind } from "./item-key.ts";

export { itemKey, type ItemKind };

export interface ToolInfo {
  id: string;
  kind: ItemKind;
  server: string;
  /** A tool's or prompt's name; a resource's URI or URI template. */
  name: string;
  key: string; // itemKey(kind, server, name)
  status: "pending" | "approved" | "rejected";
  effect: string | null;
  risk: string | null;
  labels: string[];
  sensitiveArgs: string[];
  blocked: { at: string; reason: string | null } | null;
  inputSchema: unknown;
  openWorld: boolean;
  /** Detectors the gateway skips for what this item returns: its own setting ∪ its server's, sorted (absent: none). */
  detectorsOff?: string[];
  /** Its server's own setting alone (what a server-level method's decision names). */
  serverDetectorsOff?: string[];
}

const SELECT = `SELECT t.id, t.kind, s.name AS server, t.name, t.status, t.effect, t.risk, t.labels, t.sensitive_args,
                       t.blocked_at, t.blocked_reason, t.input_schema, t.annotations,
                       t.detectors_off, s.detectors_off AS server_detectors_off
                  FROM tools t JOIN tool_servers s ON s.id = t.server_id`;

type ToolRow = WithJson<
  Row<
    "tools",
    | "id"
    | "kind"
    | "name"
    | "status"
    | "effect"
    | "risk"
    | "labels"
    | "sensitive_args"
    | "blocked_at"
    | "blocked_reason"
    | "input_schema"
    | "annotations"
    | "detectors_off"
  >,
  { annotations: { openWorldHint?: unknown } | null }
> & { server: Col<"tool_servers", "name">; server_detectors_off: Col<"tool_servers", "detectors_off"> };

const SERVER_SELECT = "SELECT name, detectors_off FROM tool_servers";
type ServerRow = { name: Col<"tool_servers", "name">; detectors_off: Col<"tool_servers", "detectors_off"> };
const serverOff = (r: ServerRow): [string, string[]] => [r.name, [...(r.detectors_off ?? [])].sort()];

function toInfo(r: ToolRow): ToolInfo {
  const kind = r.kind as ItemKind;
  return {
    id: r.id,
    kind,
    server: r.server,
    name: r.name,
    key: itemKey(kind, r.server, r.name),
    status: r.status as ToolInfo["status"],
    effect: r.effect,
    risk: r.risk,
    labels: r.labels ?? [],
    sensitiveArgs: r.sensitive_args ?? [],
    blocked: r.blocked_at ? { at: new Date(r.blocked_at).toISOString(), reason: r.blocked_reason } : null,
    inputSchema: r.input_schema,
    openWorld: r.annotations?.openWorldHint === true,
    detectorsOff: [...new Set([...(r.server_detectors_off ?? []), ...(r.detectors_off ?? [])])].sort(),
    serverDetectorsOff: [...(r.server_detectors_off ?? [])].sort(),
  };
}

/**
 * A server as the target of a server-level method (initialize, logging/setLevel, tasks/*, and the
 * sampling, elicitation and roots requests it sends): summarised from its approved, unblocked items,
 * worst case first. `status` is "approved" when it has at least one; a server without any is "pending"
 * with effect "unknown", risk "critical" and no labels, like an unapproved item.
 */
export interface ServerInfo {
  kind: "server";
  server: string;
  name: string;
  key: string;
  status: "pending" | "approved";
  effect: string;
  risk: string;
  labels: string[];
  openWorld: boolean;
  /**
   * Detectors the gateway skips in what this server sends on its own (a sampling request's messages):
   * the server's setting (`PUT /api/v1/servers/{server}/detectors`), sorted.
   */
  detectorsOff: string[];
}

const EFFECT_ORDER = ["read", "write", "side_effect", "destructive"];
const RISK_ORDER = ["low", "medium", "high", "critical"];

export function summariseServer(server: string, items: ToolInfo[], detectorsOff: string[] = []): ServerInfo {
  const usable = items.filter((t) => t.server === server && t.status === "approved" && !t.blocked);
  if (usable.length === 0)
    return {
      kind: "server",
      server,
      name: server,
      key: server,
      status: "pending",
      effect: "unknown",
      risk: "critical",
      labels: [],
      openWorld: false,
      detectorsOff,
    };
  const worst = (order: string[], values: Array<string | null>, fallback: string) =>
    values.reduce<string>((w, v) => (order.indexOf(v ?? fallback) > order.indexOf(w) ? (v ?? fallback) : w), order[0]);
  return {
    kind: "server",
    server,
    name: server,
    key: server,
    status: "approved",
    effect: worst(
      EFFECT_ORDER,
      usable.map((t) => t.effect),
      "destructive",
    ),
    risk: worst(
      RISK_ORDER,
      usable.map((t) => t.risk),
      "critical",
    ),
    labels: [...new Set(usable.flatMap((t) => t.labels))].sort(),
    openWorld: usable.some((t) => t.openWorld),
    detectorsOff,
  };
}

interface Snapshot {
  /** Every server of the inventory (also those that list nothing yet), with its own detectors-off setting. */
  servers: Map<string, string[]>;
  byKey: Map<string, ToolInfo>;
  byId: Map<string, ToolInfo>;
  /** Resource families (URI templates) by server. */
  templates: Map<string, ToolInfo[]>;
}

/** How a resource URI resolved: one inventory entry, none, or several families that disagree. */
export type ResourceMatch = { item: ToolInfo } | { item: undefined; ambiguous?: ToolInfo[] };

/**
 * Every change to a tool (from the change feed, or made on this node) drops the whole snapshot: the
 * next read loads the table again (it is small), and a load that raced with a change is neither kept
 * nor shared with readers that came after the change.
 */
export class ToolCache {
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private version = 0;
  /** Bumped on every change: the MCP schema is regenerated when it moves. */
  generation = 0;
  /** Keys looked up and not found, with when (a short negative cache: unknown names cost one query). */
  private missing = new Map<string, number>();

  private load(): Promise<Snapshot> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    if (this.loading) return this.loading;
    const version = this.version;
    const p = (async () => {
      const [r, servers] = await Promise.all([getPool().query<ToolRow>(SELECT), getPool().query<ServerRow>(SERVER_SELECT)]);
      const snap: Snapshot = { servers: new Map(servers.rows.map(serverOff)), byKey: new Map(), byId: new Map(), templates: new Map() };
      for (const row of r.rows) put(snap, toInfo(row));
      if (version === this.version) {
        this.snapshot = snap;
        this.generation++;
      }
      return snap;
    })();
    this.loading = p;
    const done = () => {
      if (this.loading === p) this.loading = null;
    };
    p.then(done, done);
    return p;
  }

  async ensureLoaded(): Promise<void> {
    await this.load();
  }

  /** A tool. */
  get(server: string, name: string): Promise<ToolInfo | undefined> {
    return this.getItem("tool", server, name);
  }

  /**
   * The inventory entry a resource URI belongs to: the resource listed with exactly this URI, else the
   * one family (URI template) of that server that matches it. The caller has refused URIs that are not
   * in normal form (uri-template.ts). Several matching families are ambiguous: the caller denies.
   */
  async resolveResource(server: string, uri: string): Promise<ResourceMatch> {
    const exact = await this.getItem("resource", server, uri);
    if (exact) return { item: exact };
    const snap = this.snapshot ?? (await this.load());
    let families = (snap.templates.get(server) ?? []).filter((t) => templateMatches(t.name, uri));
    if (families.length === 0) {
      // A family reported a moment ago may not have reached this node through the change feed yet.
      const key = `families\0${server}`;
      const seen = this.missing.get(key);
      if (seen === undefined || Date.now() - seen >= 2_000) {
        const version = this.version;
        const r = await getPool().query<ToolRow>(`${SELECT} WHERE s.name = $1 AND t.kind = 'resource' AND strpos(t.name, '{') > 0`, [server]);
        const rows = r.rows.map(toInfo);
        if (version === this.version && this.snapshot === snap) for (const t of rows) put(snap, t);
        families = rows.filter((t) => templateMatches(t.name, uri));
        if (families.length === 0 && version === this.version) this.missing.set(key, Date.now());
      }
    }
    if (families.length === 1) return { item: families[0] };
    return families.length ? { item: undefined, ambiguous: families } : { item: undefined };
  }

  async getItem(kind: ItemKind, server: string, name: string): Promise<ToolInfo | undefined> {
    const snap = this.snapshot ?? (await this.load());
    const key = itemKey(kind, server, name);
    const hit = snap.byKey.get(key);
    if (hit) return hit;
    // Not cached: an item reported a moment ago may not have reached us through the change feed yet.
    const seen = this.missing.get(key);
    if (seen !== undefined && Date.now() - seen < 2_000) return undefined;
    const version = this.version;
    const r = await getPool().query<ToolRow>(`${SELECT} WHERE s.name = $1 AND t.kind = $2 AND t.name = $3`, [server, kind, name]);
    if (r.rows[0]) {
      const t = toInfo(r.rows[0]);
      if (version === this.version && this.snapshot === snap) put(snap, t);
      return t;
    }
    if (this.missing.size > 10_000) this.missing.clear();
    if (version === this.version) this.missing.set(key, Date.now());
    return undefined;
  }

  /** A server of the inventory, summarised from its approved items; undefined when it is not in the inventory. */
  async getServer(name: string): Promise<ServerInfo | undefined> {
    const snap = this.snapshot ?? (await this.load());
    if (!snap.servers.has(name)) {
      // Reported a moment ago: may not have reached us through the change feed yet.
      const key = `server\0${name}`;
      const seen = this.missing.get(key);
      if (seen !== undefined && Date.now() - seen < 2_000) return undefined;
      const version = this.version;
      const r = await getPool().query<ServerRow>(`${SERVER_SELECT} WHERE name = $1`, [name]);
      if (!r.rows[0]) {
        if (version === this.version) this.missing.set(key, Date.now());
        return undefined;
      }
      const [, off] = serverOff(r.rows[0]);
      if (version === this.version && this.snapshot === snap) snap.servers.set(name, off);
      // Its items, too, in case they were reported with it.
      const items = await getPool().query<ToolRow>(`${SELECT} WHERE s.name = $1`, [name]);
      return summariseServer(name, items.rows.map(toInfo), off);
    }
    return summariseServer(name, [...snap.byKey.values()], snap.servers.get(name) ?? []);
  }

  /** The names of every server in the inventory (also those that list nothing yet), sorted. */
  async serverNames(): Promise<string[]> {
    const snap = this.snapshot ?? (await this.load());
    return [...snap.servers.keys()].sort();
  }

  /** Every tool (not resources or prompts). */
  async all(): Promise<ToolInfo[]> {
    return (await this.items()).filter((t) => t.kind === "tool");
  }

  /** Every inventory item: tools, resources and prompts. */
  async items(): Promise<ToolInfo[]> {
    const snap = this.snapshot ?? (await this.load());
    return [...snap.byKey.values()];
  }

  /** A tool changed (`tools:<id>`): everything is read again on next use. */
  invalidate(_id?: string): void {
    this.clear();
  }

  clear(): void {
    this.missing.clear();
    this.snapshot = null;
    this.loading = null;
    this.version++;
    this.generation++;
  }
}

function put(snap: Snapshot, t: ToolInfo): void {
  snap.servers.set(t.server, t.serverDetectorsOff ?? []);
  const old = snap.byId.get(t.id);
  if (old) snap.byKey.delete(old.key);
  snap.byKey.set(t.key, t);
  snap.byId.set(t.id, t);
  if (t.kind === "resource" && isUriTemplate(t.name)) {
    const list = (snap.templates.get(t.server) ?? []).filter((x) => x.id !== t.id);
    list.push(t);
    snap.templates.set(t.server, list);
  }
}
