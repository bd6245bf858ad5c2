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

  async get(server: string, name: string): Promise<ToolInfo | undefined> {
    await this.ensureLoaded();
    return this.byKey.get(`${server}/${name}`);
  }

  async all(): Promise<ToolInfo[]> {
    await this.ensureLoaded();
    return [...this.byKey.values()];
  }

  async refresh(id: string): Promise<void> {
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
    this.loaded = false;
    this.byKey.clear();
    this.byId.clear();
    this.generation++;
  }
}
