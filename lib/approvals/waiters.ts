/**
 * Long-poll support: requests waiting for an approval to change (`rt.approvalWaiters`, one per process).
 * Woken when this node decides or expires it, and when the change feed reports a change made on
 * another node (`approvals:<id>`).
 */

export class ApprovalWaiters {
  private waiting = new Map<string, Set<() => void>>();

  /** Resolves when the approval may have changed, or after `ms`. */
  wait(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(id);
      if (!set) this.waiting.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
    });
  }

  wake(id: string): void {
    for (const w of [...(this.waiting.get(id) ?? [])]) w();
  }

  wakeAll(): void {
    for (const id of [...this.waiting.keys()]) this.wake(id);
  }

  get size(): number {
    let n = 0;
    for (const s of this.waiting.values()) n += s.size;
    return n;
  }
}
