// Cedar evaluation off the event loop. Plain JavaScript (no loader needed in the worker).
// Protocol: { op: "prepare", id, policies } → { op: "prepared", id, error? }
//           { op: "eval", batch: [{ seq, call }] } → { op: "results", results: [{ seq, answer }] }
//           { op: "drop", id }
import { parentPort } from "node:worker_threads";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

parentPort.on("message", (msg) => {
  if (msg.op === "prepare") {
    const r = cedar.preparsePolicySet(msg.id, { staticPolicies: msg.policies });
    parentPort.postMessage({ op: "prepared", id: msg.id, error: r.type === "success" ? undefined : r.errors.map((e) => e.message).join("; ") });
  } else if (msg.op === "eval") {
    const results = new Array(msg.batch.length);
    for (let i = 0; i < msg.batch.length; i++) {
      const { seq, call } = msg.batch[i];
      let answer;
      try {
        answer = cedar.statefulIsAuthorized(call);
      } catch (err) {
        answer = { type: "failure", errors: [{ message: String(err && err.message ? err.message : err) }], warnings: [] };
      }
      results[i] = { seq, answer };
    }
    parentPort.postMessage({ op: "results", results });
  }
});
