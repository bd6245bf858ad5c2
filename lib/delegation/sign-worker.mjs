// Receipt signing off the event loop. Plain JavaScript (no loader needed in the worker).
// Protocol: { op: "key", kid, key }                                  (once per signing key)
//           { op: "sign", id, kids: "k1\nk2…", inputs: "i1\ni2…" } → { op: "signed", id, sigs: "s1\ns2…" }
// Inputs and signatures are base64url with dots, so newlines separate them; a failed item is "!<message>".
import { sign } from "node:crypto";
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";

// A lower priority for this thread only (Linux: a thread id set with setpriority), so that waking it
// does not preempt the event loop: it signs on whatever CPU time is idle.
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: same priority as the event loop
}

const keys = new Map();

parentPort.on("message", (msg) => {
  if (msg.op === "key") {
    keys.set(msg.kid, msg.key);
  } else if (msg.op === "sign") {
    const kids = msg.kids.split("\n");
    const inputs = msg.inputs.split("\n");
    const sigs = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      try {
        const key = keys.get(kids[i]);
        if (!key) throw new Error(`unknown signing key ${kids[i]}`);
        sigs[i] = sign(null, Buffer.from(inputs[i]), key).toString("base64url");
      } catch (err) {
        sigs[i] = `!${String(err && err.message ? err.message : err).replace(/\n/g, " ")}`;
      }
    }
    parentPort.postMessage({ op: "signed", id: msg.id, sigs: sigs.join("\n") });
  }
});
