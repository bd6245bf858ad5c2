/**
 * Receipts (rt.receipts): a short-lived JWT, signed with Mandate's keys, returned with every allowed
 * decision. It binds the decision id, session and step, the principal chain, the tool and the SHA-256 of
 * the canonical arguments, so the tool can verify offline that this exact call was authorized
 * (lib/receipts/verify-receipt.ts, docs/receipts.md).
 */
import cluster from "node:cluster";
import { KeyObject, sign } from "node:crypto";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { env } from "../env.ts";
import type { ReceiptSigner } from "../runtime/runtime.ts";
import type { KeySource } from "./delegation-token.ts";
import type { SigningKey } from "./signing-keys.ts";
import { RECEIPT_TYP } from "./token-types.ts";
import { logger } from "../telemetry/log.ts";

export const RECEIPT_TTL_S = 60;

interface Sodium {
  crypto_sign_BYTES: number;
  crypto_sign_SECRETKEYBYTES: number;
  crypto_sign_detached(sig: Buffer, message: Buffer, secretKey: Buffer): void;
  sodium_malloc(size: number): Buffer;
}

/** libsodium (sodium-native) when it loads, as in the signing worker: ~21 µs an Ed25519 signature here, node:crypto ~32 µs. */
let sodium: Sodium | null | undefined;
/** By key object (kids are unique in a deployment, but the cache must not depend on it). */
const sodiumKeys = new WeakMap<object, Buffer | null>();

function sodiumKey(k: SigningKey): Buffer | null {
  let sk = sodiumKeys.get(k.key);
  if (sk !== undefined) return sk;
  if (sodium === undefined) {
    try {
      sodium = createRequire(import.meta.url)("sodium-native") as Sodium;
    } catch {
      sodium = null; // no prebuilt binary for this platform: node:crypto
    }
  }
  sk = null;
  const key = k.key instanceof Uint8Array ? null : KeyObject.from(k.key);
  if (sodium && key?.asymmetricKeyType === "ed25519" && key.type === "private") {
    const jwk = key.export({ format: "jwk" });
    sk = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
    Buffer.concat([Buffer.from(jwk.d!, "base64url"), Buffer.from(jwk.x!, "base64url")]).copy(sk);
  }
  sodiumKeys.set(k.key, sk);
  return sk;
}

/** Signs on this thread: libsodium when it loads (the same signature: Ed25519 is deterministic), else node:crypto. */
function signHere(k: SigningKey, input: string): string {
  const sk = sodiumKey(k);
  if (sk && sodium) {
    const sig = Buffer.allocUnsafe(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(sig, Buffer.from(input), sk);
    return sig.toString("base64url");
  }
  return sign(null, Buffer.from(input), k.key as Parameters<typeof sign>[2]).toString("base64url");
}

/**
 * Whether receipts are signed on a worker thread by default (MANDATE_RECEIPT_SIGNING). The thread
 * moves ~21 µs a receipt off a single event loop onto an idle core, but the hand-over costs more CPU
 * than it moves (measured here, all threads: 81 µs a receipt in batches of 1, 39 in batches of 4, 30 in
 * batches of 20, against 21 inline): where every core already runs an event loop (a node:cluster
 * worker of the data plane) there is no idle core to move it to, and inline costs least.
 */
export function signOnThreadByDefault(mode = env().MANDATE_RECEIPT_SIGNING, inClusterWorker = cluster.isWorker): boolean {
  return mode === "thread" || (mode === "auto" && !inClusterWorker);
}

/**
 * Signs on a worker thread, in batches: every signature asked for during one turn of the event loop
 * goes in one message (flushed by setImmediate). An Ed25519 signature costs ~38 µs of CPU through
 * node:crypto here, the largest single item of a decision; the worker signs with libsodium when it loads
 * (~20 µs, the same signatures). A receipt is released only after its batch has committed, so the worker
 * has the commit's round trip to sign it. If the worker fails, signing falls back to the event loop (the
 * same signatures, only slower).
 */
export class SigningWorker {
  private worker: Worker | null;
  private seq = 0;
  private queue: Array<{ k: SigningKey; input: string; resolve: (s: string) => void; reject: (e: Error) => void }> = [];
  private inFlight = new Map<number, SigningWorker["queue"]>();
  private sentKeys = new Set<string>();
  private scheduled = false;
  /** The worker's Ed25519 implementation, once it has started. */
  impl: "libsodium" | "node:crypto" | null = null;

  constructor() {
    this.worker = new Worker(new URL("./sign-worker.mjs", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: { op: string; id: number; sigs: string; impl?: "libsodium" | "node:crypto" }) => {
      if (msg.op === "ready") this.impl = msg.impl ?? null;
      else this.onSigned(msg);
    });
    this.worker.on("error", (err) => this.fallBack(err));
    this.worker.on("exit", (code) => this.fallBack(new Error(`receipt signing worker exited (${code})`)));
  }

  sign(k: SigningKey, input: string): Promise<string> {
    if (!this.worker) return Promise.resolve(signHere(k, input));
    return new Promise((resolve, reject) => {
      this.queue.push({ k, input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    if (!this.worker) return this.signInline(batch);
    for (const { k } of batch) {
      if (this.sentKeys.has(k.kid)) continue;
      const key = k.key instanceof Uint8Array ? k.key : KeyObject.from(k.key);
      this.worker.postMessage({ op: "key", kid: k.kid, key });
      this.sentKeys.add(k.kid);
    }
    const id = ++this.seq;
    this.inFlight.set(id, batch);
    // One string each way (structured clone of many small objects costs more than the signing saves):
    // inputs and signatures are base64url and dots, so a newline separates them.
    this.worker.postMessage({ op: "sign", id, kids: batch.map((b) => b.k.kid).join("\n"), inputs: batch.map((b) => b.input).join("\n") });
  }

  private onSigned(msg: { op: string; id: number; sigs: string }) {
    const batch = this.inFlight.get(msg.id);
    if (msg.op !== "signed" || !batch) return;
    this.inFlight.delete(msg.id);
    const sigs = msg.sigs.split("\n");
    batch.forEach((b, i) => {
      const s = sigs[i];
      if (s && !s.startsWith("!")) b.resolve(s);
      else b.reject(new Error(`receipt signing failed: ${s ? s.slice(1) : "no signature"}`));
    });
  }

  private signInline(batch: SigningWorker["queue"]) {
    for (const b of batch) {
      try {
        b.resolve(signHere(b.k, b.input));
      } catch (err) {
        b.reject(err as Error);
      }
    }
  }

  private fallBack(err: Error) {
    if (!this.worker) return;
    this.worker = null;
    logger.error("receipt signing worker failed, signing on the event loop from now on", { component: "receipts", err });
    for (const batch of this.inFlight.values()) this.signInline(batch);
    this.inFlight.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.flush();
    for (const batch of this.inFlight.values()) this.signInline(batch);
    this.inFlight.clear();
    await w?.terminate();
  }
}

export class JwtReceiptSigner implements ReceiptSigner {
  private readonly worker: SigningWorker | null;
  /** The encoded JWS header of each key (the same for every receipt it signs). */
  private readonly headers = new Map<string, string>();

  /** `opts.worker` (default: signOnThreadByDefault()): sign on a worker thread (SigningWorker) instead of the event loop. */
  constructor(
    private readonly keys: KeySource,
    private readonly ttlSeconds = RECEIPT_TTL_S,
    opts: { worker?: boolean } = {},
  ) {
    if (ttlSeconds < 1 || ttlSeconds > RECEIPT_TTL_S) throw new Error(`receipt lifetime must be 1-${RECEIPT_TTL_S} s`);
    this.worker = (opts.worker ?? signOnThreadByDefault()) ? new SigningWorker() : null;
  }

  /** Stops the signing worker (signatures asked for meanwhile are still made, on the event loop). */
  async close(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * A compact JWS (RFC 7515) signed on the signing worker (libsodium, else node:crypto): receipts are
   * on the decision hot path (every allow), where jose's WebCrypto signing costs about twice as much.
   * Verifiable with any JOSE library (lib/receipts/verify-receipt.ts uses jose).
   */
  async sign(claims: Record<string, unknown>): Promise<string> {
    const k = await this.keys.current();
    if (k.alg !== "EdDSA") throw new Error(`receipts are signed with EdDSA keys, not ${k.alg}`);
    const now = Math.floor(Date.now() / 1000);
    // Without a delegation the principal chain is the calling agent alone.
    const chain = Array.isArray(claims.chain) && claims.chain.length ? claims.chain : [claims.agent];
    // Object.assign, not `{ ...claims, chain, … }` (the same members in the same order): a spread
    // followed by members costs several µs on this V8, on every allow (docs/benchmarks.md, issue 18).
    const payload: Record<string, unknown> = Object.assign({}, claims, { chain, iss: this.keys.issuer, iat: now, exp: now + this.ttlSeconds });
    if (typeof claims.decision_id === "string") payload.jti = claims.decision_id;
    let header = this.headers.get(k.kid);
    if (!header) this.headers.set(k.kid, (header = b64url({ alg: k.alg, kid: k.kid, typ: RECEIPT_TYP })));
    const input = `${header}.${b64url(payload)}`;
    return `${input}.${this.worker ? await this.worker.sign(k, input) : signHere(k, input)}`;
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
