/**
 * Runs Cedar. Policy sets are parsed once per version (preparsePolicySet) and then evaluated by id.
 * With MANDATE_CEDAR_WORKERS ≥ 1 the evaluation runs in worker threads (requests are batched per tick),
 * so the ~100 µs of Cedar per request stays off the HTTP event loop; with 0 it runs inline.
 */
import { Worker } from "node:worker_threads";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { env } from "../env.ts";
import { analyzeReads, cacheKey, DecisionCache } from "./decision-cache.ts";
import { observeCacheLookup } from "../telemetry/metrics.ts";

export type CedarCall = Omit<cedar.StatefulAuthorizationCall, "preparsedPolicySetId">;
export type CedarAnswer = cedar.AuthorizationAnswer;

/** What cedar-worker.mjs posts back (its own protocol, not outside input). */
interface WorkerReply {
  op: string;
  id?: string;
  error?: string;
  results?: Array<{ seq: number; answer: CedarAnswer }>;
}

interface Pending {
  resolve: (a: CedarAnswer) => void;
  reject: (e: Error) => void;
}

class WorkerLane {
  private worker: Worker;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private prepared = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private queue: Array<{ seq: number; call: cedar.StatefulAuthorizationCall }> = [];
  private scheduled = false;
  private dead: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL("./cedar-worker.mjs", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: WorkerReply) => this.onMessage(msg));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`Cedar worker exited (${code})`)));
  }

  private fail(err: Error) {
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const p of this.prepared.values()) p.reject(err);
    this.prepared.clear();
  }

  private onMessage(msg: WorkerReply) {
    if (msg.op === "prepared" && msg.id) {
      const p = this.prepared.get(msg.id);
      this.prepared.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error));
      else p?.resolve();
    } else if (msg.op === "results" && msg.results) {
      for (const r of msg.results) {
        const p = this.pending.get(r.seq);
        this.pending.delete(r.seq);
        p?.resolve(r.answer);
      }
    }
  }

  prepare(id: string, policies: Record<string, string>): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.prepared.set(id, { resolve, reject });
      this.worker.postMessage({ op: "prepare", id, policies });
    });
  }

  evaluate(call: cedar.StatefulAuthorizationCall): Promise<CedarAnswer> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.queue.push({ seq, call });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length) this.worker.postMessage({ op: "eval", batch });
  }

  get load(): number {
    return this.pending.size;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export class CedarEvaluator {
  private lanes: WorkerLane[];
  private next = 0;
  private known = new Map<string, Record<string, string>>();
  private caches = new Map<string, DecisionCache>();
  /** Exact decision caching (see decision-cache.ts); off with MANDATE_DECISION_CACHE=0 (lib/env.ts). */
  cacheEnabled = env().MANDATE_DECISION_CACHE;

  constructor(workers: number) {
    this.lanes = Array.from({ length: workers }, () => new WorkerLane());
  }

  get workerCount(): number {
    return this.lanes.length;
  }

  async prepare(id: string, policies: Record<string, string>): Promise<void> {
    if (this.known.has(id)) return;
    const r = cedar.preparsePolicySet(id, { staticPolicies: policies });
    if (r.type !== "success") throw new Error(r.errors.map((e) => e.message).join("; "));
    await Promise.all(this.lanes.map((l) => l.prepare(id, policies)));
    this.known.set(id, policies);
    const reads = analyzeReads(Object.values(policies));
    if (reads) this.caches.set(id, new DecisionCache(reads));
  }

  isPrepared(id: string): boolean {
    return this.known.has(id);
  }

  /** Evaluates a call against a prepared policy set. Never throws for a policy problem: see answer.type. */
  async evaluate(policySetId: string, call: CedarCall): Promise<CedarAnswer> {
    const cache = this.cacheEnabled ? this.caches.get(policySetId) : undefined;
    const key = cache ? cacheKey(cache.reads, call) : null;
    if (cache && key !== null) {
      const hit = cache.get(key);
      observeCacheLookup(hit !== undefined);
      if (hit) return hit;
      const answer = await this.evaluateUncached(policySetId, call);
      cache.set(key, answer);
      return answer;
    }
    return this.evaluateUncached(policySetId, call);
  }

  cacheStats(): { hits: number; misses: number } {
    let hits = 0;
    let misses = 0;
    for (const c of this.caches.values()) {
      hits += c.hits;
      misses += c.misses;
    }
    return { hits, misses };
  }

  private async evaluateUncached(policySetId: string, call: CedarCall): Promise<CedarAnswer> {
    const full = { ...call, preparsedPolicySetId: policySetId };
    if (this.lanes.length === 0) return this.evaluateInline(full);
    let lane = this.lanes[this.next];
    this.next = (this.next + 1) % this.lanes.length;
    if (this.lanes.length > 1) {
      const least = this.lanes.reduce((a, b) => (b.load < a.load ? b : a));
      if (least.load < lane.load) lane = least;
    }
    return lane.evaluate(full);
  }

  evaluateInline(call: cedar.StatefulAuthorizationCall): CedarAnswer {
    try {
      return cedar.statefulIsAuthorized(call);
    } catch (err) {
      return { type: "failure", errors: [{ message: (err as Error).message } as cedar.DetailedError], warnings: [] };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.terminate()));
    this.lanes = [];
  }
}
