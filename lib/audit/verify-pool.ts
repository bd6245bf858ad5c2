/**
 * Runs the ranges of `audit verify` (lib/audit/verify-range.mjs) on worker threads, each with its own
 * connection, handing the next range to whichever worker is free; or on the calling thread with one
 * connection when one worker is asked for (or one range). Results come back in the order of `tasks`.
 */
import { Worker } from "node:worker_threads";
import { verifyRange } from "./verify-copy.mjs";
import { openReader, type RangeResult, type RangeTask } from "./verify-range.mjs";

type Msg =
  { op: "ready" } | { op: "progress"; n: number } | { op: "result"; id: number; result: RangeResult } | { op: "error"; id: number | null; error: string };

export async function runRanges(url: string, tasks: RangeTask[], workers: number, onProgress?: (n: number) => void): Promise<RangeResult[]> {
  const results = new Array<RangeResult>(tasks.length);
  if (workers <= 1 || tasks.length <= 1) {
    const client = await openReader(url);
    try {
      for (let i = 0; i < tasks.length; i++) results[i] = await verifyRange(client, tasks[i], onProgress);
    } finally {
      await client.end().catch(() => {});
    }
    return results;
  }
  let next = 0;
  const runWorker = async () => {
    const w = new Worker(new URL("./verify-worker.mjs", import.meta.url), { workerData: { url }, execArgv: [] });
    let pending: { resolve: (r?: RangeResult) => void; reject: (e: Error) => void } | null = null;
    let failure: Error | null = null;
    const fail = (e: Error) => {
      failure ??= e;
      pending?.reject(e);
      pending = null;
    };
    w.on("message", (m: Msg) => {
      if (m.op === "progress") onProgress?.(m.n);
      else if (m.op === "ready" || m.op === "result") {
        pending?.resolve(m.op === "result" ? m.result : undefined);
        pending = null;
      } else fail(new Error(m.error));
    });
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`an audit verification worker stopped (exit code ${code})`)));
    const wait = () =>
      new Promise<RangeResult | undefined>((resolve, reject) => {
        if (failure) reject(failure);
        else pending = { resolve, reject };
      });
    try {
      await wait(); // ready
      while (next < tasks.length) {
        const i = next++;
        const answer = wait();
        w.postMessage({ op: "range", id: i, task: tasks[i] });
        results[i] = (await answer)!;
      }
    } finally {
      w.removeAllListeners("exit");
      const exited = new Promise((r) => w.once("exit", r));
      w.postMessage({ op: "close" });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      await w.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, tasks.length) }, runWorker));
  return results;
}
