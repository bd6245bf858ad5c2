/**
 * Cedar evaluations for what-if replay spread over worker threads (one per core, at most 4), so that a
 * draft whose every request is distinct is not bound to one core. Each worker pre-parses the draft once
 * and answers batches of calls. The workers load cedar-wasm by path (eval workers, no bundler
 * involvement), so the pool works the same from the CLI, tests and the Next.js server. With one core,
 * or for small batches, evaluation stays on the calling thread.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { CedarCall } from "./evaluator.ts";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const cedar = require(workerData.cedarPath);
parentPort.on("message", (m) => {
  if (m.op === "prepare") {
    const r = cedar.preparsePolicySet(m.id, { staticPolicies: m.policies });
    parentPort.postMessage({ op: "prepared", error: r.type === "success" ? null : r.errors.map((e) => e.message).join("; ") });
    return;
  }
  const out = m.calls.map((c) => {
    try { return cedar.statefulIsAuthorized(c); }
    catch (e) { return { type: "failure", errors: [{ message: String(e && e.message) }], warnings: [] }; }
  });
  parentPort.postMessage({ op: "results", out });
});`;

const MIN_PARALLEL_BATCH = 400;

function evaluateInline(id: string, calls: CedarCall[]): cedar.AuthorizationAnswer[] {
  return calls.map((c) => {
    try {
      return cedar.statefulIsAuthorized({ ...c, preparsedPolicySetId: id });
    } catch (err) {
      return { type: "failure", errors: [{ message: (err as Error).message } as cedar.DetailedError], warnings: [] };
    }
  });
}

export class ReplayPool {
  private workers: Worker[] = [];

  private constructor(private readonly id: string) {}

  /** A pool for a pre-parsed policy set (`id` already prepared on this thread). */
  static async open(id: string, policies: Record<string, string>, size = Math.min(4, availableParallelism())): Promise<ReplayPool> {
    const pool = new ReplayPool(id);
    if (size < 2) return pool;
    try {
      const cedarPath = createRequire(join(process.cwd(), "package.json")).resolve("@cedar-policy/cedar-wasm/nodejs");
      pool.workers = Array.from({ length: size }, () => new Worker(WORKER, { eval: true, workerData: { cedarPath } }));
      await Promise.all(pool.workers.map((w) => pool.ask(w, { op: "prepare", id, policies })));
    } catch {
      await pool.close(); // no workers here: evaluate inline
    }
    return pool;
  }

  private ask(w: Worker, msg: unknown): Promise<{ error?: string | null; out?: cedar.AuthorizationAnswer[] }> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { error?: string | null; out?: cedar.AuthorizationAnswer[] }) => {
        w.off("error", onError);
        if (m.error) reject(new Error(m.error));
        else resolve(m);
      };
      const onError = (e: Error) => {
        w.off("message", onMessage);
        reject(e);
      };
      w.once("message", onMessage);
      w.once("error", onError);
      w.postMessage(msg);
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Answers in the order of `calls`. */
  async evaluate(calls: CedarCall[]): Promise<cedar.AuthorizationAnswer[]> {
    if (this.workers.length === 0 || calls.length < MIN_PARALLEL_BATCH) return evaluateInline(this.id, calls);
    const n = this.workers.length;
    const chunk = Math.ceil(calls.length / n);
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const slice = calls.slice(i * chunk, (i + 1) * chunk).map((c) => ({ ...c, preparsedPolicySetId: this.id }));
        return slice.length ? this.ask(w, { op: "eval", calls: slice }).then((m) => m.out!) : Promise.resolve([]);
      }),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate().catch(() => 0)));
  }
}
