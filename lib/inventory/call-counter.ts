/**
 * Tool call counts (shown in the inventory) are counted in the node and added to `tools.call_count`
 * every few seconds, outside the decision commit: a hot tool's row would otherwise be locked by every
 * batch, serialising the commits of concurrent batches. The audit log stays the exact record; the
 * counter may lag by the flush interval (and lose it if the process dies).
 */
import { getPool } from "../db/pool.ts";

export class CallCounter {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout;

  constructor(flushEveryMs = 2_000) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  add(toolId: string, n = 1): void {
    this.counts.set(toolId, (this.counts.get(toolId) ?? 0) + n);
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = [...this.counts.entries()];
    this.counts.clear();
    try {
      await getPool().query(
        `UPDATE tools t SET call_count = t.call_count + c.n, last_seen_at = GREATEST(t.last_seen_at, now())
           FROM unnest($1::uuid[], $2::int[]) AS c(tool_id, n) WHERE t.id = c.tool_id`,
        [batch.map(([id]) => id), batch.map(([, n]) => n)],
      );
    } catch {
      for (const [id, n] of batch) this.add(id, n); // retried at the next flush
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
