/**
 * The receipt signing worker: batches of signatures made on a worker thread (with libsodium) verify
 * with the public key, equal what node:crypto on the event loop would sign (Ed25519 is deterministic),
 * survive a key rotation, and keep coming (on the event loop) after the worker dies or is closed.
 */
import { sign, verify } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as jose from "jose";
import { describe, expect, it } from "vitest";
import { JwtReceiptSigner, signOnThreadByDefault, SigningWorker } from "./receipts.ts";
// @ts-expect-error plain JavaScript module (used by the worker), no declarations
import { lowerPriority } from "./worker-priority.mjs";

const run = promisify(execFile);

async function key(kid: string) {
  const { privateKey, publicKey } = await jose.generateKeyPair("EdDSA", { extractable: true });
  return { k: { kid, alg: "EdDSA", key: privateKey }, publicKey };
}

/** The nice value of a thread, from /proc/<path>/stat (field 19). */
const niceOf = (path: string) => {
  const stat = readFileSync(`/proc/${path}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
};

/** A process that starts the signing worker and reports its own nice and that of the threads it started. */
const CHILD = `
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
const nice = (p) => { const s = readFileSync("/proc/" + p + "/stat", "utf8"); return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[16]); };
const before = new Set(readdirSync("/proc/self/task"));
const w = new Worker(${JSON.stringify(new URL("./sign-worker.mjs", import.meta.url).pathname)}, { execArgv: [] });
await new Promise((resolve) => w.once("message", resolve));
const started = readdirSync("/proc/self/task").filter((t) => !before.has(t)).map((t) => nice("self/task/" + t));
console.log(JSON.stringify({ main: nice("thread-self"), started }));
await w.terminate();
`;

const here = (k: { key: unknown }, input: string) => sign(null, Buffer.from(input), k.key as Parameters<typeof sign>[2]).toString("base64url");

describe("SigningWorker", () => {
  it("signs a batch on the worker with libsodium exactly as node:crypto on the event loop would, across two keys", async () => {
    const a = await key("a");
    const b = await key("b");
    const w = new SigningWorker();
    const inputs = Array.from({ length: 50 }, (_, i) => `eyJhbGciOiJFZERTQSJ9.${Buffer.from(`payload ${i}`).toString("base64url")}`);
    const sigs = await Promise.all(inputs.map((input, i) => w.sign(i % 2 ? b.k : a.k, input)));
    sigs.forEach((s, i) => {
      const k = i % 2 ? b : a;
      expect(s).toBe(here(k.k, inputs[i]));
      expect(verify(null, Buffer.from(inputs[i]), k.publicKey as unknown as Parameters<typeof verify>[2], Buffer.from(s, "base64url"))).toBe(true);
    });
    // sodium-native ships a prebuilt binary for this platform: if it stopped loading, signing would
    // silently take twice the CPU.
    expect(w.impl).toBe("libsodium");
    await w.close();
  });

  it.runIf(existsSync("/proc/thread-self"))(
    "runs the worker thread 10 nice levels below the event loop (at most 19), whatever this process's nice",
    async () => {
      const own = niceOf("thread-self");
      const before = new Set(readdirSync("/proc/self/task"));
      const a = await key("a");
      const w = new SigningWorker();
      await w.sign(a.k, "x.y");
      const started = readdirSync("/proc/self/task").filter((tid) => !before.has(tid));
      expect(started.map((tid) => niceOf(`self/task/${tid}`))).toContain(Math.min(19, own + 10));
      expect(niceOf("thread-self")).toBe(own); // the event loop keeps its priority
      await w.close();
    },
  );

  it.runIf(existsSync("/proc/thread-self") && existsSync("/usr/bin/nice"))(
    "in a process started at nice +5 the worker runs at +15 (not at an absolute 10)",
    async () => {
      const own = niceOf("thread-self");
      const { stdout } = await run("/usr/bin/nice", ["-n", "5", process.execPath, "--input-type=module", "-e", CHILD]);
      const out = JSON.parse(stdout);
      expect(out.main).toBe(Math.min(19, own + 5));
      expect(out.started).toContain(lowerPriority(out.main));
    },
    30_000, // starts a Node process at a lower priority (a loaded machine gives it little CPU)
  );

  it("lowers the priority by 10, to 19 at most", () => {
    expect([-5, 0, 5, 9, 10, 15, 19].map(lowerPriority)).toEqual([5, 10, 15, 19, 19, 19, 19]);
  });

  it("keeps signing on the event loop when the worker dies, including what was in flight", async () => {
    const a = await key("a");
    const w = new SigningWorker();
    await w.sign(a.k, "x.y");
    const inFlight = w.sign(a.k, "in.flight");
    await (w as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await inFlight).toBe(here(a.k, "in.flight"));
    expect(await w.sign(a.k, "after.death")).toBe(here(a.k, "after.death"));
  });

  it("still answers after close()", async () => {
    const a = await key("a");
    const w = new SigningWorker();
    const pending = w.sign(a.k, "p.q");
    await w.close();
    expect(await pending).toBe(here(a.k, "p.q"));
    expect(await w.sign(a.k, "r.s")).toBe(here(a.k, "r.s"));
  });

  it("rejects an item the worker cannot sign, and only that one", async () => {
    const a = await key("a");
    const w = new SigningWorker();
    const bad = { kid: "bad", alg: "EdDSA", key: new Uint8Array([1, 2, 3]) };
    const [ok, err] = await Promise.allSettled([w.sign(a.k, "good.one"), w.sign(bad, "bad.one")]);
    expect(ok).toMatchObject({ status: "fulfilled", value: here(a.k, "good.one") });
    expect(err.status).toBe("rejected");
    await w.close();
  });
});

describe("JwtReceiptSigner", () => {
  it("produces the same receipt with and without the worker", async () => {
    const a = await key("k1");
    const keys = { issuer: "urn:mandate:test", ready: async () => {}, current: async () => a.k, verificationKey: async () => null };
    const claims = { decision_id: "d-1", sid: "s-1", step: 1, agent: "x", chain: [], tool: "t/u", args_sha256: "0".repeat(64) };
    const withWorker = new JwtReceiptSigner(keys);
    const inline = new JwtReceiptSigner(keys, 60, { worker: false });
    const [r1, r2] = await Promise.all([withWorker.sign(claims), inline.sign(claims)]);
    // iat/exp may differ by a second at a boundary; the signature must verify either way.
    for (const r of [r1, r2]) {
      const { payload } = await jose.jwtVerify(r, a.publicKey, { issuer: "urn:mandate:test" });
      expect(payload).toMatchObject({ decision_id: "d-1", jti: "d-1", chain: ["x"] });
    }
    await withWorker.close();
  });

  it("signs on the event loop with libsodium exactly what the worker signs: the same JWS, byte for byte", async () => {
    const a = await key("k1");
    const keys = { issuer: "urn:mandate:test", ready: async () => {}, current: async () => a.k, verificationKey: async () => null };
    const claims = { decision_id: "d-1", sid: "s-1", step: 1, agent: "x", chain: [], tool: "t/u", args_sha256: "0".repeat(64) };
    const withWorker = new JwtReceiptSigner(keys);
    const inline = new JwtReceiptSigner(keys, 60, { worker: false });
    for (let i = 0; i < 5; i++) {
      const [r1, r2] = await Promise.all([withWorker.sign(claims), inline.sign(claims)]);
      const payload = (r: string) => JSON.parse(Buffer.from(r.split(".")[1], "base64url").toString());
      if (payload(r1).iat !== payload(r2).iat) continue; // a second boundary between the two: try again
      expect(r2).toBe(r1);
      // The payload's members in the order they always had: the claims, then iss, iat, exp, jti.
      expect(Object.keys(payload(r1))).toEqual(["decision_id", "sid", "step", "agent", "chain", "tool", "args_sha256", "iss", "iat", "exp", "jti"]);
      break;
    }
    await withWorker.close();
  });
});

describe("signOnThreadByDefault (MANDATE_RECEIPT_SIGNING)", () => {
  it("signs on the thread only where an idle core may take it: not in a node:cluster worker, unless told", () => {
    expect(signOnThreadByDefault("auto", false)).toBe(true);
    expect(signOnThreadByDefault("auto", true)).toBe(false);
    expect(signOnThreadByDefault("thread", true)).toBe(true);
    expect(signOnThreadByDefault("inline", false)).toBe(false);
  });
});
