/**
 * Signed checkpoints on a timer (a duty of the node, started by lib/runtime/start.ts): the node's own
 * chains from memory every `intervalS` (the window in which a database superuser could delete the
 * newest entries undetected), every chain as stored every `fullIntervalS`. Only chains whose head moved
 * are signed; a checkpoint still being written is not overlapped.
 */
import { writeCheckpoint, type ChainHead } from "./checkpoints.ts";

export interface CheckpointTimers {
  dataDir: string;
  intervalS: number;
  fullIntervalS: number;
  webhook?: string;
  /** The heads of this node's own chains, from memory (of every process of the node). */
  ownHeads: () => ChainHead[] | Promise<ChainHead[]>;
  log: (m: string) => void;
}

/** Starts both timers; returns their stop. */
export function startCheckpointTimers(o: CheckpointTimers): () => void {
  let checkpointing = false;
  const checkpoint = (full: boolean) => {
    if (checkpointing) return;
    checkpointing = true;
    void (async () => writeCheckpoint(o.dataDir, { onlyIfChanged: true, webhook: o.webhook, heads: full ? undefined : await o.ownHeads() }))()
      .catch((err) => o.log(`checkpoint failed: ${(err as Error).message}`))
      .finally(() => (checkpointing = false));
  };
  const own = setInterval(() => checkpoint(false), o.intervalS * 1000);
  own.unref();
  const full = setInterval(() => checkpoint(true), o.fullIntervalS * 1000);
  full.unref();
  return () => {
    clearInterval(own);
    clearInterval(full);
  };
}
