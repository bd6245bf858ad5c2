// A worker thread of `audit verify` (lib/audit/verify-pool.ts): one connection of its own, verifies the
// ranges it is sent (lib/audit/verify-range.mjs) and reports progress as it reads.
// Protocol: → { op: "range", id, task }   ← { op: "progress", n } … { op: "result", id, result } | { op: "error", id, error }
//           ← { op: "ready" } once connected (or { op: "error", id: null, error })
import { parentPort, workerData } from "node:worker_threads";
import { verifyRange } from "./verify-copy.mjs";
import { openReader } from "./verify-range.mjs";

let client;
try {
  client = await openReader(workerData.url);
  parentPort.postMessage({ op: "ready" });
} catch (err) {
  parentPort.postMessage({ op: "error", id: null, error: String(err && err.message ? err.message : err) });
}

parentPort.on("message", async (m) => {
  if (m.op === "close") {
    await client?.end().catch(() => {});
    parentPort.close();
    return;
  }
  try {
    const result = await verifyRange(client, m.task, (n) => parentPort.postMessage({ op: "progress", n }));
    parentPort.postMessage({ op: "result", id: m.id, result });
  } catch (err) {
    parentPort.postMessage({ op: "error", id: m.id, error: String(err && err.message ? err.message : err) });
  }
});
