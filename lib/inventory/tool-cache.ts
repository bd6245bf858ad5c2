/**
 * The tool inventory as the decision path sees it: every known tool with its approved classification,
 * held in memory and refreshed through the change feed.
 */
import { getPool } from "../db/pool.ts";

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

function toInfo(r: Record<string, any>): ToolInfo {
  return {
    id: r.id,
    server: r.server,
    name: r.name,
    key: `${r.server}/${r.name}`,
    status: r.status,
    effect: r.effect,
    risk: r.risk,
    labels: r.labels ?? [],
    sensitiveArgs: r.sensitive_args ?? [],
    blocked: r.blocked_at ? { at: new Date(r.blocked_at).toISOString(), reason: r.blocked_reason } : null,
    inputSchema: r.input_schema,
    openWorld: r.annotations?.openWorldHint === true,
  };
}

export class ToolCache {
  private byKey = new Map<string, ToolInfo>();
  private byId = new Map<string, ToolInfo>();
  private loaded = false;
  /** Bumped on every change: the MCP schema is regenerated when it moves. */
  generation = 0;

  async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    const r = await getPool().query(SELECT);
    this.byKey.clear();
    this.byId.clear();
    for (const row of r.rows) this.put(toInfo(row));
    this.loaded = true;
    this.generation++;
  }

  private put(t: ToolInfo) {
    const old = this.byId.get(t.id);
    if (old) this.byKey.delete(old.key);
    this.byKey.set(t.key, t);
    this.byId.set(t.id, t);
  }

  /** Keys looked up and not found, with when (a short negative cache: unknown names cost one query). */
  private missing = new Map<string, number>();

  async get(server: string, name: string): Promise<ToolInfo | undefined> {
    await this.ensureLoaded();
    const key = `${server}/${name}`;
    const hit = this.byKey.get(key);
    if (hit) return hit;
    // Not cached: a tool reported a moment ago may not have reached us through the change feed yet.
    const seen = this.missing.get(key);
    if (seen !== undefined && Date.now() - seen < 2_000) return undefined;
    const r = await getPool().query(`${SELECT} WHERE s.name = $1 AND t.name = $2`, [server, name]);
    if (r.rows[0]) {
      const t = toInfo(r.rows[0]);
      this.put(t);
      return t;
    }
    if (this.missing.size > 10_000) this.missing.clear();
    this.missing.set(key, Date.now());
    return undefined;
  }

  async all(): Promise<ToolInfo[]> {
    await this.ensureLoaded();
    return [...this.byKey.values()];
  }

  async refresh(id: string): Promise<void> {
    this.missing.clear();
    if (!this.loaded) return;
    const r = await getPool().query(`${SELECT} WHERE t.id = $1`, [id]);
    const old = this.byId.get(id);
    if (old) {
      this.byKey.delete(old.key);
      this.byId.delete(id);
    }
    if (r.rows[0]) this.put(toInfo(r.rows[0]));
    this.generation++;
  }

  clear(): void {
    this.missing.clear();
    this.loaded = false;
    this.byKey.clear();
    this.byId.clear();
    this.generation++;
  }
}
