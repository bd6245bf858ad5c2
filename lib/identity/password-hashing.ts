/**
 * Password hashing (bcrypt) off the event loop. bcryptjs is plain JavaScript: a cost-12 check takes
 * 250–700 ms of CPU here, and on the main thread it would stall the data plane (decisions, health) for
 * that long per sign-in. Hashes and checks run on ONE worker thread per process instead, in arrival
 * order: at most one core goes to passwords, the event loop keeps the other. The stored format is
 * unchanged (`$2a$`/`$2b$` bcrypt strings), so every existing hash keeps verifying.
 *
 * The worker is an eval worker that loads bcryptjs by its resolved path (as lib/policy/replay-pool.ts
 * loads cedar-wasm), so it works the same from the Next.js bundle, the CLI and tests. It is shared by
 * every copy of this module in the process (globalThis). If no worker can be started, the work runs on
 * the calling thread (the same answers, only blocking).
 */
import bcrypt from "bcryptjs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { logger } from "../telemetry/log.ts";

export const BCRYPT_COST = 12;

/**
 * bcrypt (cost 12, like every hash Mandate writes) of a random value that was thrown away: checked
 * whenever a sign-in has no real hash to check (unknown email, account without a password, disabled
 * account), so that such an attempt costs the same time as a wrong password for a real account.
 */
export const DUMMY_HASH = "$2b$12$8DEQqbFO8s885hFuuATvruAWsMasPGrhTf9QPW2DC2RB3yYKR28j2";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", (m) => {
  let out;
  try {
    const value = m.op === "hash" ? bcrypt.hashSync(m.password, m.cost) : bcrypt.compareSync(m.password, m.hash);
    out = { id: m.id, ok: true, value };
  } catch (e) {
    out = { id: m.id, ok: false, error: String((e && e.message) || e) };
  }
  parentPort.postMessage(out);
});`;

type Job = { resolve: (v: string | boolean) => void; reject: (e: Error) => void };

function bcryptPath(): string | null {
  for (const base of [join(process.cwd(), "package.json"), import.meta.url]) {
    try {
      return createRequire(base).resolve("bcryptjs");
    } catch {
      // try the next base
    }
  }
  return null;
}

class PasswordWorker {
  private worker: Worker | null = null;
  private jobs = new Map<number, Job>();
  private seq = 0;
  private inline = false;

  private start(): Worker | null {
    if (this.worker || this.inline) return this.worker;
    const path = bcryptPath();
    try {
      if (!path) throw new Error("bcryptjs cannot be resolved");
      const w = new Worker(WORKER, { eval: true, workerData: { bcryptPath: path } });
      w.unref();
      w.on("message", (m: { id: number; ok: boolean; value?: string | boolean; error?: string }) => {
        const job = this.jobs.get(m.id);
        if (!job) return;
        this.jobs.delete(m.id);
        if (this.jobs.size === 0) w.unref();
        if (m.ok) job.resolve(m.value!);
        else job.reject(new Error(m.error));
      });
      const lost = (err: Error) => {
        if (this.worker !== w) return;
        this.worker = null; // the next call starts a new worker
        for (const job of this.jobs.values()) job.reject(err);
        this.jobs.clear();
      };
      w.on("error", lost);
      w.on("exit", (code) => lost(new Error(`password worker exited (${code})`)));
      this.worker = w;
    } catch (err) {
      this.inline = true;
      logger.warn("password hashing runs on the main thread", { component: "identity", err });
    }
    return this.worker;
  }

  run(msg: { op: "hash"; password: string; cost: number } | { op: "compare"; password: string; hash: string }): Promise<string | boolean> {
    const w = this.start();
    if (!w) return Promise.resolve(msg.op === "hash" ? bcrypt.hashSync(msg.password, msg.cost) : bcrypt.compareSync(msg.password, msg.hash));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      w.ref(); // a pending check keeps the process alive (a CLI command awaiting it)
      w.postMessage({ ...msg, id });
    });
  }
}

/** A process-wide global (ARCHITECTURE.md, *The composition root*): one worker and queue for the server and the Next.js bundle. */
const g = globalThis as unknown as { __mandatePasswordWorker?: PasswordWorker };

function worker(): PasswordWorker {
  g.__mandatePasswordWorker ??= new PasswordWorker();
  return g.__mandatePasswordWorker;
}

export async function hashPassword(password: string): Promise<string> {
  return (await worker().run({ op: "hash", password, cost: BCRYPT_COST })) as string;
}

/** true when `password` matches the bcrypt `hash`; a malformed hash is an error (the caller refuses). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return (await worker().run({ op: "compare", password, hash })) === true;
}
