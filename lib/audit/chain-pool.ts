/**
 * Several audit chains of one node, committing in parallel. Group commit makes one chain carry one
 * batch at a time; with N chains, N batches are in flight, so PostgreSQL's commit latency is
 * overlapped instead of serialised. Ordering still holds where it matters: decisions on one session are
 * serialised by the session lock, and each chain is contiguous and verifiable on its own (checkpoints
 * cover every chain head).
 */
import { AuditChain, type CommitJob } from "./chain.ts";
import type { AuditEntryRow } from "./hash.ts";

export class ChainPool {
  readonly chains: AuditChain[];
  private next = 0;

  constructor(node: string, size: number) {
    this.chains = Array.from({ length: Math.max(1, size) }, (_, i) => new AuditChain(size > 1 ? `${node}#${i + 1}` : node));
  }

  /** Submits to the chain with the fewest queued jobs (round-robin among equals). */
  submit(job: CommitJob): Promise<AuditEntryRow[]> {
    let best = this.chains[this.next];
    for (const c of this.chains) if (c.queued < best.queued) best = c;
    this.next = (this.next + 1) % this.chains.length;
    return best.submit(job);
  }

  async close(): Promise<void> {
    await Promise.all(this.chains.map((c) => c.close()));
  }

  get heads(): Array<{ chain_id: string; seq: number; hash: string }> {
    return this.chains.map((c) => c.currentHead);
  }

  get stats(): { batches: number; jobs: number; conflicts: number } {
    return this.chains.reduce((a, c) => ({ batches: a.batches + c.stats.batches, jobs: a.jobs + c.stats.jobs, conflicts: a.conflicts + c.stats.conflicts }), {
      batches: 0,
      jobs: 0,
      conflicts: 0,
    });
  }
}
