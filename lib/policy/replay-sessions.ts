/**
 * Session state during replay: the tools used before each step are known exactly only when the
 * session's earlier steps are in the replayed window (from step 1, in order); otherwise null (unknown).
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";

interface Tracked {
  lastStep: number;
  tools: Set<string> | null;
}

export class SessionTracker {
  private sessions = new Map<string, Tracked>();
  private starts = new Map<string, number | null>();

  async loadStarts(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.starts.has(id));
    if (!missing.length) return;
    const r = await getPool().query<Row<"sessions", "id" | "started_at">>(`SELECT id, started_at FROM sessions WHERE id = ANY($1::text[])`, [missing]);
    for (const id of missing) this.starts.set(id, null);
    for (const row of r.rows) this.starts.set(row.id, row.started_at.getTime());
  }

  start(id: string): number | null {
    return this.starts.get(id) ?? null;
  }

  /** Tools used in the session before this step, or null when not known (or no step: a foreign attempt). */
  before(d: { session_id: string; step: number | null }): string[] | null {
    if (d.step === null) return null;
    if (d.step === 1) return [];
    const s = this.sessions.get(d.session_id);
    return s && s.tools && s.lastStep === d.step - 1 ? [...s.tools].sort() : null;
  }

  /**
   * Records a decision (in step order): an allow adds its tool to the session. A decision without a
   * step (another agent's attempt in the session, denied before policy) is no step of it: ignored.
   */
  record(d: { session_id: string; step: number | null; outcome: string; tool: string }): void {
    if (d.step === null) return;
    const s = this.sessions.get(d.session_id);
    let tools: Set<string> | null;
    if (d.step === 1) tools = new Set();
    else tools = s && s.tools && s.lastStep === d.step - 1 ? s.tools : null;
    if (tools && d.outcome === "allow") tools.add(d.tool);
    this.sessions.set(d.session_id, { lastStep: d.step, tools });
  }
}
