/**
 * The session caps of HTTP mode: each session starts its own upstream processes, so the number of open
 * sessions is bounded per agent key and in all. A slot is taken synchronously, before anything of the
 * session starts, so concurrent initialize requests cannot overshoot a cap; it is given back once when
 * the session ends (or never started).
 */
export interface SessionLimits {
  maxPerKey: number;
  maxTotal: number;
}

export type SlotResult = { ok: true; release: () => void } | { ok: false; limit: "per_key" | "total"; detail: string };

export class SessionSlots {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(private readonly limits: SessionLimits) {}

  get size(): number {
    return this.total;
  }

  countFor(fingerprint: string): number {
    return this.perKey.get(fingerprint) ?? 0;
  }

  acquire(fingerprint: string): SlotResult {
    const mine = this.countFor(fingerprint);
    if (mine >= this.limits.maxPerKey)
      return {
        ok: false,
        limit: "per_key",
        detail: `this agent key already has ${mine} open sessions (the limit is ${this.limits.maxPerKey}): close one (DELETE) or wait until an idle one expires`,
      };
    if (this.total >= this.limits.maxTotal)
      return {
        ok: false,
        limit: "total",
        detail: `the gateway has ${this.total} open sessions (the limit is ${this.limits.maxTotal}): retry later`,
      };
    this.total++;
    this.perKey.set(fingerprint, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = this.countFor(fingerprint) - 1;
        if (n > 0) this.perKey.set(fingerprint, n);
        else this.perKey.delete(fingerprint);
      },
    };
  }
}
