/**
 * Last-used time and source address of static credentials (agent keys, personal tokens, PEP keys),
 * without a write per request: a request notes its key here (a Map lookup; the client address is read
 * only when the note is taken), at most once per NOTE_EVERY_MS per key, and the owner of the log writes
 * what was noted in one statement per flush (every 10 s). So a key's `last_used_at` / `last_used_from`
 * are at most NOTE_EVERY_MS + the flush interval behind (70 s), and a key busy on every node costs each
 * node one row update a minute. The throttle remembers at most MAX_TRACKED keys (the oldest are forgotten:
 * a forgotten key is noted again, one more write).
 */
import type { IncomingMessage } from "node:http";
import { requestAddress } from "../auth/client-address.ts";
import { BoundedCache } from "../util/bounded-cache.ts";

export const NOTE_EVERY_MS = 60_000;
const MAX_TRACKED = 100_000;

export class UsageLog {
  /** When each key was last noted (the throttle). */
  private noted = new BoundedCache<string, number>(MAX_TRACKED);
  private pending = new Map<string, { from: string | null; at: number }>();

  note(hash: string, req: IncomingMessage | undefined, now = Date.now()): void {
    const last = this.noted.get(hash);
    if (last !== undefined && now - last < NOTE_EVERY_MS) return;
    this.noted.set(hash, now);
    this.pending.set(hash, { from: req ? requestAddress(req) : null, at: now });
  }

  /** What was noted since the last take, as the arrays of an `unnest($1, $2, $3)` (null: nothing). */
  take(): [string[], Array<string | null>, Date[]] | null {
    if (!this.pending.size) return null;
    const hashes: string[] = [];
    const from: Array<string | null> = [];
    const at: Date[] = [];
    for (const [h, u] of this.pending) {
      hashes.push(h);
      from.push(u.from);
      at.push(new Date(u.at));
    }
    this.pending.clear();
    return [hashes, from, at];
  }
}
