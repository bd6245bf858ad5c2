/**
 * Cross-node cache invalidation: database triggers NOTIFY "mandate_changes" with "<table>:<key>" on
 * every relevant change (see the audit_commit migration); each node LISTENs and drops what changed.
 * If the listening connection drops, every cache is cleared (notifications may have been missed) and
 * the listener reconnects.
 */
import pg from "pg";
import { databaseUrl } from "../db/pool.ts";

export type ChangeHandler = (table: string, key: string) => void;

export class ChangeFeed {
  private client: pg.Client | null = null;
  private handlers: ChangeHandler[] = [];
  private resetHandlers: Array<() => void> = [];
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  on(handler: ChangeHandler): void {
    this.handlers.push(handler);
  }

  onReset(handler: () => void): void {
    this.resetHandlers.push(handler);
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl() });
    client.on("notification", (msg) => {
      const payload = msg.payload ?? "";
      const i = payload.indexOf(":");
      const table = i < 0 ? payload : payload.slice(0, i);
      const key = i < 0 ? "" : payload.slice(i + 1);
      for (const h of this.handlers) {
        try {
          h(table, key);
        } catch (err) {
          console.error(`[change-feed] handler failed: ${(err as Error).message}`);
        }
      }
    });
    const lost = () => {
      if (this.closed || this.client !== client) return;
      this.client = null;
      for (const r of this.resetHandlers) r();
      this.retry = setTimeout(() => void this.start().catch(() => lost()), 500);
    };
    client.on("error", lost);
    client.on("end", lost);
    await client.connect();
    await client.query("LISTEN mandate_changes");
    this.client = client;
    for (const r of this.resetHandlers) r();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }
}
