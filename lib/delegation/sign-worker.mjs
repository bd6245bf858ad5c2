// Receipt signing off the event loop. Plain JavaScript (no loader needed in the worker).
// Protocol: → { op: "ready", impl: "libsodium" | "node:crypto" }                  (once, at start)
//           { op: "key", kid, key }                                  (once per signing key)
//           { op: "sign", id, kids: "k1\nk2…", inputs: "i1\ni2…" } → { op: "signed", id, sigs: "s1\ns2…" }
// Inputs and signatures are base64url with dots, so newlines separate them; a failed item is "!<message>".
import { sign } from "node:crypto";
import { readlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { lowerPriority } from "./worker-priority.mjs";

// Ed25519 with libsodium (sodium-native) when it loads: ~20 µs a signature here, against ~38 µs through
// node:crypto (OpenSSL 3.0's per-call provider overhead). Ed25519 is deterministic, so both give the
// same signature for the same key and input.
let sodium = null;
try {
  sodium = createRequire(import.meta.url)("sodium-native");
} catch {
  // no prebuilt binary for this platform: node:crypto
}

// A lower priority for this thread only (Linux: a thread id set with setpriority), so that waking it
// does not preempt the event loop: it signs on whatever CPU time is idle. Relative to the event loop's
// priority (worker-priority.mjs): 10 lower, at most 19.
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (tid > 0) setPriority(tid, lowerPriority(getPriority(tid)));
} catch {
  // not Linux, or not allowed: same priority as the event loop
}

/** kid → the KeyObject, and for Ed25519 keys under libsodium its 64-byte secret key (seed ‖ public key). */
const keys = new Map();
const sodiumKeys = new Map();

function sodiumKey(key) {
  if (!sodium || key.asymmetricKeyType !== "ed25519" || key.type !== "private") return null;
  const jwk = key.export({ format: "jwk" });
  const sk = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
  Buffer.concat([Buffer.from(jwk.d, "base64url"), Buffer.from(jwk.x, "base64url")]).copy(sk);
  return sk;
}

function signOne(kid, input) {
  const sk = sodiumKeys.get(kid);
  if (sk) {
    const sig = Buffer.allocUnsafe(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(sig, Buffer.from(input), sk);
    return sig.toString("base64url");
  }
  const key = keys.get(kid);
  if (!key) throw new Error(`unknown signing key ${kid}`);
  return sign(null, Buffer.from(input), key).toString("base64url");
}

parentPort.postMessage({ op: "ready", impl: sodium ? "libsodium" : "node:crypto" });

parentPort.on("message", (msg) => {
  if (msg.op === "key") {
    keys.set(msg.kid, msg.key);
    const sk = sodiumKey(msg.key);
    if (sk) sodiumKeys.set(msg.kid, sk);
  } else if (msg.op === "sign") {
    const kids = msg.kids.split("\n");
    const inputs = msg.inputs.split("\n");
    const sigs = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      try {
        sigs[i] = signOne(kids[i], inputs[i]);
      } catch (err) {
        sigs[i] = `!${String(err && err.message ? err.message : err).replace(/\n/g, " ")}`;
      }
    }
    parentPort.postMessage({ op: "signed", id: msg.id, sigs: sigs.join("\n") });
  }
});
