/**
 * A node with two data-plane workers (node:cluster, server/cluster-primary.ts): both serve the port, a
 * session stays exact across them, the console reaches Next.js in the primary through a worker (with the
 * security headers), a worker that dies is
 * replaced while the other keeps answering, and Ctrl-C (SIGINT to every process of the terminal's group)
 * stops everything, with the final heads of every worker's chains in the last signed checkpoint.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";
import { isAlive, postFresh, postmasterPid, timeUntil } from "../faults/support.ts";

let n: MandateHandle;
let key: string;

/** GET over a new connection: consecutive ones reach the workers in turn. */
function getFresh(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
  });
}

const workerOf = async () => (JSON.parse((await getFresh(`${n.url}/api/v1/health`)).body) as { node: string }).node;

beforeAll(async () => {
  n = await startMandate({ workers: 2, console: true });
  key = n.credentials!.agents[0].api_key;
}, 180_000);

afterAll(async () => {
  await n?.stop();
  await closeTestDb();
});

describe("a node with two data-plane workers", () => {
  it("both workers serve the node's port, each with its own audit chains", async () => {
    expect(n.workerPids()).toHaveLength(2);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await workerOf());
    expect([...seen].sort()).toEqual([`${(await workerOf()).replace(/\/w\d$/, "")}/w1`, `${(await workerOf()).replace(/\/w\d$/, "")}/w2`]);
  });

  it("one session stays exact across workers: 40 concurrent decisions get steps 1…40, once each", async () => {
    const session = `cluster-${Date.now()}`;
    const body = { session: { id: session }, tool: { server: "crm", name: "get_customer" }, arguments: { customer_id: "c-1" } };
    const answers = await Promise.all(Array.from({ length: 40 }, () => postFresh(n.url, key, "/api/v1/decisions", body)));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const steps = answers.map((a) => a.body.session.step as number).sort((x, y) => x - y);
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const nodes = await getPool().query<{ node: string }>(
      `SELECT DISTINCT c.node FROM audit_entries e JOIN audit_chains c ON c.id = e.chain_id WHERE e.session_id = $1 ORDER BY 1`,
      [session],
    );
    expect(nodes.rows.map((r) => r.node.replace(/^.*\//, ""))).toEqual(["w1", "w2"]);
  });

  it("console pages reach Next.js through either worker, with the console's security headers", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await getFresh(`${n.url}/login`);
      expect(r.status).toBe(200);
      expect(r.headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.body).toContain("<html");
    }
  });

  it("a worker killed with SIGKILL is replaced; the other keeps answering meanwhile", async () => {
    const [victim, other] = n.workerPids();
    process.kill(victim, "SIGKILL");
    // Once the primary knows (a connection it handed to the worker as it died is lost with it, as are
    // the requests in flight there), every new connection goes to the other worker until the new one is up.
    const noticed = await timeUntil(10_000, async () => /data-plane worker \d exited \(SIGKILL\): restarting it/.test(n.logs()));
    expect(noticed).toBeLessThan(10_000);
    const body = { session: { id: `cluster-kill-${Date.now()}` }, tool: { server: "crm", name: "get_customer" }, arguments: { customer_id: "c-1" } };
    const during = await Promise.all(Array.from({ length: 6 }, () => postFresh(n.url, key, "/api/v1/decisions", body)));
    expect(during.map((a) => a.status)).toEqual(Array(6).fill(200));
    const replaced = await timeUntil(30_000, async () => n.workerPids().length === 2 && !n.workerPids().includes(victim));
    expect(replaced).toBeLessThan(30_000);
    expect(n.workerPids()).toContain(other);
    // …and the new one serves: new connections reach both again.
    const serving = await timeUntil(30_000, async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) seen.add(await workerOf());
      return seen.size === 2;
    });
    expect(serving).toBeLessThan(30_000);
  }, 60_000);

  it("Ctrl-C stops every process, and the last checkpoint signs the final head of every worker chain", async () => {
    // Both running workers write entries just before Ctrl-C (one after another, new connections reach
    // the workers in turn), so their newest entries are likely not yet in a periodic checkpoint: the last
    // one must sign them.
    const body = { session: { id: `cluster-stop-${Date.now()}` }, tool: { server: "crm", name: "get_customer" }, arguments: { customer_id: "c-1" } };
    for (let i = 0; i < 6; i++) expect((await postFresh(n.url, key, "/api/v1/decisions", body)).status).toBe(200);
    const live = new Set<string>();
    for (let i = 0; i < 4; i++)
      for (const c of JSON.parse((await getFresh(`${n.url}/api/v1/health`)).body).audit.chains as Array<{ chain_id: string }>) live.add(c.chain_id);
    const workers = n.workerPids();
    const pg = postmasterPid(n.dataDir)!;
    // A terminal's Ctrl-C: SIGINT to every process of its foreground group, PostgreSQL included.
    const primary = n.pid()!;
    for (const p of [primary, ...workers, pg]) process.kill(p, "SIGINT");
    expect(await timeUntil(30_000, async () => !isAlive(primary))).toBeLessThan(30_000);
    expect(await timeUntil(15_000, async () => [...workers, pg].every((p) => !isAlive(p)))).toBeLessThan(15_000);
    expect(n.logs()).toContain('"msg":"stopped"');

    // Start it again on the same data directory: the log verifies, and every worker chain's stored head
    // was signed by a checkpoint (the last one, written from memory as the node stopped).
    await n.restart();
    const lines = readFileSync(join(n.dataDir, "checkpoints.jsonl"), "utf8").trim().split("\n");
    const signed = new Map<string, number>();
    for (const l of lines)
      for (const h of JSON.parse(l).heads as Array<{ chain_id: string; seq: number }>) signed.set(h.chain_id, Math.max(h.seq, signed.get(h.chain_id) ?? 0));
    // (A worker killed with SIGKILL, as in the test before, had no last checkpoint: its newest entries
    // are covered by the periodic ones only, within their ~1 s window.)
    const heads = await getPool().query<{ id: string; node: string; head: number }>(
      `SELECT c.id, c.node, max(e.seq)::int AS head FROM audit_chains c JOIN audit_entries e ON e.chain_id = c.id WHERE c.id = ANY($1) GROUP BY c.id, c.node`,
      [[...live]],
    );
    expect(heads.rows.length).toBe(2);
    for (const h of heads.rows) expect({ chain: h.node, signed: signed.get(h.id) }).toEqual({ chain: h.node, signed: h.head });
    const v = await verifyAudit(n.dataDir);
    expect(v.ok).toBe(true);
  }, 120_000);
});
