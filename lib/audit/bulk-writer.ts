/**
 * Writes many audit entries at once — the synthetic histories of scripts/seed-history.ts and the e2e
 * seeds — through the production commit path: an AuditChain of its own (registered in audit_chains
 * under `node`), hash-linked by lib/audit/hash.ts and committed by `mandate_commit` in batches of
 * `batchSize` entries, with the outcome events the entries describe. Entries are made by the builders
 * of lib/audit/entries, so what a seed writes passes checkEntry and `mandate audit verify` like what a
 * node writes. One batch is in flight while the caller builds the next.
 */
import { AuditChain, type EventWrite } from "./chain.ts";
import type { AuditEntryInput } from "./hash.ts";

export class AuditBulkWriter {
  private readonly chain: AuditChain;
  private entries: AuditEntryInput[] = [];
  private events: EventWrite[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  /** Entries committed so far. */
  written = 0;

  constructor(
    node: string,
    private readonly batchSize = 2000,
  ) {
    this.chain = new AuditChain(node);
  }

  get chainId(): string {
    return this.chain.id;
  }

  /** Queues an entry (and the outcome event it records); commits a batch when one is full. */
  async add(entry: AuditEntryInput, event?: EventWrite): Promise<void> {
    this.entries.push(entry);
    if (event) this.events.push(event);
    if (this.entries.length >= this.batchSize) await this.flush();
  }

  /** Submits what is queued once the previous batch committed (its failure is thrown here). */
  async flush(): Promise<void> {
    await this.inFlight;
    if (!this.entries.length) return;
    const job = { entries: this.entries, events: this.events };
    this.entries = [];
    this.events = [];
    const commit = this.chain.submit(job).then(() => {
      this.written += job.entries.length;
    });
    // Awaited by the next flush or by close(); marked handled meanwhile, so a failure is not reported
    // as unhandled while the caller builds the next batch.
    commit.catch(() => {});
    this.inFlight = commit;
  }

  /** Commits what is left and gives the chain's connection back. */
  async close(): Promise<void> {
    await this.flush();
    await this.inFlight;
    await this.chain.close();
  }
}
