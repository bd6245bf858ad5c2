/**
 * A cache of promises by key, for loads in front of PostgreSQL or another service: callers of one key
 * at the same time share one load; a load that fails is forgotten, so the next call tries again;
 * bounded, the oldest key is evicted first. With `keepSettled: false` it only shares loads in flight.
 */
export class PromiseCache<V> {
  private readonly map = new Map<string, Promise<V>>();

  constructor(private readonly opts: { max?: number; keepSettled?: boolean } = {}) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.map.get(key);
    if (cached) return cached;
    if (this.map.size >= (this.opts.max ?? Infinity)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    const p = load();
    this.map.set(key, p);
    const forget = () => {
      if (this.map.get(key) === p) this.map.delete(key);
    };
    if (this.opts.keepSettled === false) p.then(forget, forget);
    else p.catch(forget);
    return p;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
