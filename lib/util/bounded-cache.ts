/**
 * A map for caches in front of PostgreSQL: bounded (the oldest entry is evicted first, so a flood of
 * made-up keys cannot grow the node), and safe against the race of a load with an invalidation: a
 * value loaded while any invalidation happened is returned to its caller but not kept, so a change
 * announced during a load is never hidden by it.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  private generation = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Runs `loader` and keeps its value unless the cache was invalidated meanwhile. */
  async load(key: K, loader: () => Promise<V>): Promise<V> {
    const version = this.version;
    const value = await loader();
    this.setIfUnchanged(version, key, value);
    return value;
  }

  /** Moves on with every invalidation: read it before a load, hand it to setIfUnchanged after. */
  get version(): number {
    return this.generation;
  }

  setIfUnchanged(version: number, key: K, value: V): void {
    if (version === this.generation) this.set(key, value);
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  delete(key: K): void {
    this.map.delete(key);
    this.generation++;
  }

  deleteWhere(test: (value: V, key: K) => boolean): void {
    for (const [k, v] of this.map) if (test(v, k)) this.map.delete(k);
    this.generation++;
  }

  clear(): void {
    this.map.clear();
    this.generation++;
  }
}
