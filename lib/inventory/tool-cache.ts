/**
 * The tool inventory as the decision path sees it: every known tool with its approved classification,
 * held in memory and refreshed through the change feed.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";

export interface ToolInfo {
  id: string;
  server: string;
  name: string;
  key: string; // "server/name"
  status: "pending" | "approved" | "rejected";
  effect: string | null;
  risk: string | null;
  labels: string[];
  sensitiveArgs: string[];
  blocked: { at: string; reason: string | null } | null;
  inputSchema: unknown;
  openWorld: boolean;
}

const SELECT = `SELECT t.id, s.name AS server, t.name, t.status, t.effect, t.risk, t.labels, t.sensitive_args,
                       t.blocked_at, t.blocked_reason, t.input_schema, t.annotations
                  FROM tools t JOIN tool_servers s ON s.id = t.server_id`;

type ToolRow = WithJson<
  Row<"tools", "id" | "name" | "status" | "effect" | "risk" | "labels" | "sensitive_args" | "blocked_at" | "blocked_reason" | "input_schema" | "annotations">,
  { annotations: { openWorldHint?: unknown } | null }
> & { server: Col<"tool_servers", "name"> };

function toInfo(r: ToolRow): ToolInfo {
  return {
    id: r.id,
    server: r.server,
    name: r.name,
    key: `${r.server}/${r.name}`,
    status: r.status as ToolInfo["status"],
    effect: r.effect,
    risk: r.risk,
    labels: r.labels ?? [],
    sensitiveArgs: r.sensitive_args ?? [],
    blocked: r.blocked_at ? { at: new Date(r.blocked_at).toISOString(), reason: r.blocked_reason } : null,
    inputSchema: r.input_schema,
    openWorld: r.annotations?.openWorldHint === true,
  };
}

interface Snapshot {
  byKey: Map<string, ToolInfo>;
  byId: Map<string, ToolInfo>;
}

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
      const r = await getPool().query<ToolRow>(SELECT);
      const snap: Snapshot = { byKey: new Map(), byId: new Map() };
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

  async get(server: string, name: string): Promise<ToolInfo | undefined> {
    const snap = this.snapshot ?? (await this.load());
    const key = `${server}/${name}`;
    const hit = snap.byKey.get(key);
    if (hit) return hit;
    // Not cached: a tool reported a moment ago may not have reached us through the change feed yet.
    const seen = this.missing.get(key);
    if (seen !== undefined && Date.now() - seen < 2_000) return undefined;
    const version = this.version;
    const r = await getPool().query<ToolRow>(`${SELECT} WHERE s.name = $1 AND t.name = $2`, [server, name]);
    if (r.rows[0]) {
      const t = toInfo(r.rows[0]);
      if (version === this.version && this.snapshot === snap) put(snap, t);
      return t;
    }
    if (this.missing.size > 10_000) this.missing.clear();
    if (version === this.version) this.missing.set(key, Date.now());
    return undefined;
  }

  async all(): Promise<ToolInfo[]> {
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
  const old = snap.byId.get(t.id);
  if (old) snap.byKey.delete(old.key);
  snap.byKey.set(t.key, t);
  snap.byId.set(t.id, t);
}
