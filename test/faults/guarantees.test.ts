/**
 * The guarantees of docs/guarantees.md, under injected faults, against real processes: two Mandate
 * nodes on one embedded PostgreSQL (A started it and supervises it; B reaches it through a TCP proxy
 * that the test can sever). Each scenario runs a decision load, injects one fault, and checks:
 *   - every decision answered is recorded (none answered but unrecorded);
 *   - nothing is allowed while the truth could not be read (the database unreachable → 503, never 500);
 *   - every revocation, block and publish is in force on every node within the stated bound after
 *     recovery (asserted at 3× the bound; the measured figure is printed as "[guarantee] …");
 *   - `audit verify` passes; no process is left behind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf } from "../../lib/crypto/keys.ts";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool, setDatabaseUrl } from "../../lib/db/pool.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";
import {
  DecisionLoad,
  expectAllRecorded,
  isAlive,
  postFresh,
  postmasterPid,
  workerOfFresh,
  workersAnswering,
  processesMentioning,
  report,
  rssMiB,
  TcpProxy,
  throughProxy,
  timeUntil,
} from "./support.ts";

/** The bounds docs/guarantees.md states. */
const LIVE_FEED_MS = 1_000;
const FEED_DOWN_MS = 1_000;
const AFTER_RECOVERY_MS = 5_000;

let a: MandateHandle, b: MandateHandle;
let proxy: TcpProxy;
let masterKey: string;

const decide = (n: MandateHandle, key: string, session: string, tool = "files/read_file") => {
  const [server, name] = tool.split("/");
  return api(n.url, key, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server, name }, arguments: { path: "notes.txt" } });
};
const ready = async (n: MandateHandle) => (await fetch(`${n.url}/api/v1/ready`)).status;
/** The node's name (a worker answers as `<node>/w<i>`). */
const nodeName = async (n: MandateHandle) => ((await (await fetch(`${n.url}/api/v1/health`)).json()) as { node: string }).node.replace(/\/w\d+$/, "");

const POLICY = DEFAULT_POLICY.replace("context.counters.agent.minute >= 600", "context.counters.agent.minute >= 1000000");

beforeAll(async () => {
  expect(POLICY).not.toBe(DEFAULT_POLICY);
  a = await startMandate({ workers: 2 });
  masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  const pg = new URL(a.databaseUrl);
  proxy = new TcpProxy("127.0.0.1", Number(pg.port));
  await proxy.listen();
  b = await startMandate({ databaseUrl: throughProxy(a.databaseUrl, proxy.port), env: { MANDATE_MASTER_KEY: masterKey }, workers: 2 });
  // The test's own connections go straight to PostgreSQL, never through the proxy.
  await closeTestDb();
  setDatabaseUrl(a.databaseUrl);
  // The suite's load (one agent per scenario, as fast as the nodes answer) is far over the default per-agent
  // rate limit (600/min): it measures what faults do to answers and records, so the limit is raised.
  await a.publishPolicy(POLICY);
}, 240_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await proxy?.close();
  await closeTestDb();
  // Nothing left behind: no PostgreSQL of this data directory, no node.
  expect(processesMentioning(join(a.dataDir, "pg"))).toEqual([]);
});

describe("the change feed is down while the database is reachable", () => {
  it("the node says it is not ready, and honours a revocation made on the other node within a second", async () => {
    const agent = await a.createAgent(`feed-down-${Date.now()}`);
    expect((await decide(b, agent.apiKey, "feed-down")).body.decision).toBe("allow"); // cached on B
    const bName = await nodeName(b);
    // Kill the LISTEN connections of every process of B again and again, so that none can come back meanwhile.
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await getPool()
          .query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 OR application_name LIKE $2", [
            `${bName}:feed`,
            `${bName}/w%:feed`,
          ])
          .catch(() => {});
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    try {
      let body: { reason?: string } = {};
      const notReady = await timeUntil(10_000, async () => {
        const r = await fetch(`${b.url}/api/v1/ready`);
        body = await r.json();
        return r.status === 503;
      });
      expect(notReady).toBeLessThan(10_000);
      expect(body.reason).toMatch(/change feed is not current/);
      const revoked = await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyIdOf(agent.apiKey)}/revoke`, {});
      expect(revoked.status).toBe(200);
      const took = await timeUntil(3 * FEED_DOWN_MS, async () => (await decide(b, agent.apiKey, "feed-down")).status === 401);
      report(`feed down, database reachable: a key revoked on node A was refused by node B after ${took} ms (bound ${FEED_DOWN_MS} ms)`);
      expect(took).toBeLessThanOrEqual(3 * FEED_DOWN_MS);
    } finally {
      killing = false;
      await killer;
    }
    const back = await timeUntil(3 * AFTER_RECOVERY_MS, async () => (await ready(b)) === 200);
    report(`feed down: node B was ready again ${back} ms after its feed could reconnect (bound ${AFTER_RECOVERY_MS} ms)`);
    expect(back).toBeLessThanOrEqual(3 * AFTER_RECOVERY_MS);
  }, 60_000);
});

describe("a slow change feed (notifications reach one worker of node B 1 s late)", () => {
  it("a change made on B is in force in every process of B before B answers", async () => {
    const AT = "urn:ietf:params:oauth:token-type:access_token";
    // Only B's second worker hears of changes late: a change made through its first worker must still
    // be in force there before the answer (the node's barrier), not only once its feed catches up.
    proxy.feedDelayMs = 1_000;
    proxy.feedDelayOnly = /\/w2:feed$/;
    try {
      const agent = await a.createAgent(`slow-feed-${Date.now()}`);
      const latencies: number[] = [];
      // node:cluster hands new connections to B's 2 workers in turn: after a new connection answered by
      // w2, the next one (the revocation) goes to w1, whose feed is not slowed down.
      const nextGoesToW1 = async () => {
        for (let i = 0; i < 4 && (await workerOfFresh(b.url)) !== "w2"; i++);
      };
      for (let round = 0; round < 4; round++) {
        const t = await fetch(`${b.url}/api/v1/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
            subject_token: b.adminToken,
            subject_token_type: AT,
            actor_token: agent.apiKey,
            actor_token_type: AT,
            scope: "tool:files/*",
          }).toString(),
        }).then((r) => r.json());
        const body = {
          session: { id: t.session_id },
          tool: { server: "files", name: "read_file" },
          arguments: { path: "x" },
          delegation_token: t.access_token,
        };
        // Both workers cache the token as valid.
        for (let i = 0; i < 4; i++) expect((await postFresh(b.url, agent.apiKey, "/api/v1/decisions", body)).body.decision).toBe("allow");
        await nextGoesToW1();
        const t0 = Date.now();
        const rev = await postFresh(b.url, b.adminToken, "/api/v1/token/revoke", new URLSearchParams({ token: t.access_token }));
        latencies.push(Date.now() - t0);
        expect(rev.body).toEqual({ revoked: 1 });
        for (let i = 0; i < 4; i++) {
          const next = await postFresh(b.url, agent.apiKey, "/api/v1/decisions", body);
          expect(next.body.decision).toBe("deny");
          expect(next.body.reasons[0].message).toBe("delegation token was revoked");
        }
      }
      report(
        "slow feed (+1 s on one worker): a delegation token revoked on node B was refused by each of B's workers at its very next decision, " +
          `4 rounds of 4; the revocation (made through the other worker) took ${latencies.join(", ")} ms to answer (it waits for every worker of B)`,
      );
      // The same from B's key revocation.
      const k = await a.createAgent(`slow-feed-key-${Date.now()}`);
      const slowBody = { session: { id: "slow" }, tool: { server: "files", name: "read_file" }, arguments: { path: "notes.txt" } };
      {
        const key = k;
        for (let i = 0; i < 4; i++) expect((await postFresh(b.url, key.apiKey, "/api/v1/decisions", slowBody)).body.decision).toBe("allow");
        await nextGoesToW1();
        expect((await postFresh(b.url, b.adminToken, `/api/v1/keys/${keyIdOf(key.apiKey)}/revoke`, {})).status).toBe(200);
        for (let i = 0; i < 4; i++) expect((await postFresh(b.url, key.apiKey, "/api/v1/decisions", slowBody)).status).toBe(401);
      }
    } finally {
      proxy.feedDelayMs = 0;
      proxy.feedDelayOnly = null;
    }
  }, 90_000);
});

describe("a node cut off from PostgreSQL, then reconnected", () => {
  it("answers 503 while cut off, allows nothing, records everything it answered, and honours what changed meanwhile", async () => {
    const agent = await a.createAgent(`cut-${Date.now()}`);
    const victim = await a.createAgent(`cut-victim-${Date.now()}`);
    expect((await decide(b, victim.apiKey, "cut-warm")).body.decision).toBe("allow");
    expect((await decide(b, agent.apiKey, "cut-warm-2", "crm/get_customer")).body.decision).toBe("allow");
    const load = new DecisionLoad(b.url, agent.apiKey, { concurrency: 8, label: `cut-${Date.now()}` });
    await new Promise((r) => setTimeout(r, 1_000));
    const cutAt = Date.now();
    proxy.sever();
    // While B is cut off: on A, a key is revoked, a tool blocked and a policy published.
    expect((await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyIdOf(victim.apiKey)}/revoke`, {})).status).toBe(200);
    expect((await api(a.url, a.adminToken, "POST", "/api/v1/tools/crm/get_customer/block", { reason: "fault suite" })).status).toBe(200);
    const pub = await api(a.url, a.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: `${POLICY}\n// fault suite ${Date.now()}\n` });
    expect(pub.status).toBe(201);
    await new Promise((r) => setTimeout(r, 2_000));
    const cutAnswers = load.answers.filter((x) => x.sentAt > cutAt);
    expect(await ready(b)).toBe(503);
    const healedAt = Date.now();
    proxy.heal();
    const [revokedIn, blockedIn, publishedIn] = await Promise.all([
      timeUntil(3 * AFTER_RECOVERY_MS, async () => (await decide(b, victim.apiKey, "cut-after")).status === 401),
      timeUntil(
        3 * AFTER_RECOVERY_MS,
        async () => (await decide(b, agent.apiKey, "cut-after-2", "crm/get_customer")).body.reasons?.[0]?.policy === "mandate.tool_blocked",
      ),
      timeUntil(3 * AFTER_RECOVERY_MS, async () => (await decide(b, agent.apiKey, "cut-after-3")).body.policy_version === pub.body.label),
    ]);
    const readyIn = await timeUntil(3 * AFTER_RECOVERY_MS, async () => (await ready(b)) === 200);
    await new Promise((r) => setTimeout(r, 500));
    const answers = await load.stop();
    await api(a.url, a.adminToken, "POST", "/api/v1/tools/crm/get_customer/unblock", { reason: "fault suite" });

    // While cut off: refused with 503 and Retry-After, never a 500, never an allow.
    const during = cutAnswers.filter((x) => x.sentAt < healedAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((x) => x.status === 200 && x.decision === "allow")).toEqual([]);
    expect(during.filter((x) => x.status !== 503)).toEqual([]);
    expect(during.every((x) => x.retryAfter !== null && x.problemType?.endsWith("/database_unavailable"))).toBe(true);
    expect(answers.filter((x) => x.status === 500)).toEqual([]);
    const recorded = await expectAllRecorded(answers);
    report(`node cut off for ${healedAt - cutAt} ms: ${JSON.stringify(DecisionLoad.tally(answers))}; ${recorded} answered = ${recorded} recorded`);
    report(
      `after reconnecting: revoked key refused in ${revokedIn} ms, blocked tool denied in ${blockedIn} ms, ` +
        `published policy used in ${publishedIn} ms, ready in ${readyIn} ms (bound ${AFTER_RECOVERY_MS} ms)`,
    );
    for (const t of [revokedIn, blockedIn, publishedIn, readyIn]) expect(t).toBeLessThanOrEqual(3 * AFTER_RECOVERY_MS);
  }, 90_000);
});

describe("a data-plane worker that dies while its node is cut off from PostgreSQL", () => {
  it("is replaced once PostgreSQL is reachable again, although its replacements cannot start meanwhile", async () => {
    const agent = await a.createAgent(`cut-worker-${Date.now()}`);
    expect(b.workerPids().length).toBe(2);
    const logFrom = b.logs().length;
    proxy.sever();
    const [victim] = b.workerPids();
    process.kill(victim, "SIGKILL");
    // The first replacement is forked after 1 s, cannot reach PostgreSQL, and exits before it listens.
    const failed = await timeUntil(20_000, async () => /data-plane worker \d exited before it listened/.test(b.logs().slice(logFrom)));
    expect(failed).toBeLessThan(20_000);
    const healedAt = Date.now();
    proxy.heal();
    const back = await timeUntil(30_000, async () => (await workersAnswering(b.url)).join() === "w1,w2" && (await ready(b)) === 200);
    report(
      `a worker killed while its node was cut off: the node had 2 workers again ${back} ms after PostgreSQL was reachable (restart back-off 1, 2, 5, 10, 30 s)`,
    );
    expect(back).toBeLessThan(30_000);
    expect(Date.now() - healedAt).toBeLessThan(30_000);
    for (let i = 0; i < 4; i++) expect((await decide(b, agent.apiKey, `cut-worker-${i}`)).body.decision).toBe("allow");
  }, 60_000);
});

describe("PostgreSQL killed under load, and restarted by its node", () => {
  it("answers 503 meanwhile, comes back by itself, records everything answered, and keeps the feed bound", async () => {
    const agent = await a.createAgent(`pgkill-${Date.now()}`);
    const loadA = new DecisionLoad(a.url, agent.apiKey, { concurrency: 6, label: `pgkill-a-${Date.now()}` });
    const loadB = new DecisionLoad(b.url, agent.apiKey, { concurrency: 6, label: `pgkill-b-${Date.now()}` });
    await new Promise((r) => setTimeout(r, 1_000));
    const pid = postmasterPid(a.dataDir)!;
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    const restarted = await timeUntil(60_000, async () => {
      const p = postmasterPid(a.dataDir);
      return p !== null && p !== pid && isAlive(p) && (await getPool().query("SELECT 1")).rowCount === 1;
    });
    expect(restarted).toBeLessThan(60_000);
    const readyA = await timeUntil(3 * AFTER_RECOVERY_MS, async () => (await ready(a)) === 200);
    const readyB = await timeUntil(3 * AFTER_RECOVERY_MS, async () => (await ready(b)) === 200);
    await new Promise((r) => setTimeout(r, 500));
    const answers = [...(await loadA.stop()), ...(await loadB.stop())];
    expect(answers.filter((x) => x.status === 500)).toEqual([]);
    expect(answers.filter((x) => x.status !== 200 && x.status !== 503)).toEqual([]);
    const recorded = await expectAllRecorded(answers);
    report(
      `PostgreSQL killed (SIGKILL): restarted by node A after ${restarted} ms; ready again A ${readyA} ms, B ${readyB} ms later; ` +
        `${JSON.stringify(DecisionLoad.tally(answers))}; ${recorded} answered = ${recorded} recorded`,
    );
    for (const t of [readyA, readyB]) expect(t).toBeLessThanOrEqual(3 * AFTER_RECOVERY_MS);

    // The restart is in the audit log, and the change feed is live again on both nodes.
    const audited = await getPool().query("SELECT data FROM audit_entries WHERE action = 'database.restarted' AND created_at >= $1", [new Date(killedAt)]);
    expect(audited.rowCount).toBe(1);
    const victim = await a.createAgent(`pgkill-victim-${Date.now()}`);
    expect((await decide(b, victim.apiKey, "pgkill-after")).body.decision).toBe("allow");
    await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyIdOf(victim.apiKey)}/revoke`, {});
    const took = await timeUntil(3 * LIVE_FEED_MS, async () => (await decide(b, victim.apiKey, "pgkill-after")).status === 401);
    report(`after the PostgreSQL restart, with the feed live: a key revoked on A was refused by B after ${took} ms (bound ${LIVE_FEED_MS} ms)`);
    expect(took).toBeLessThanOrEqual(3 * LIVE_FEED_MS);
  }, 120_000);
});

describe("a node killed with SIGKILL under load", () => {
  it("loses nothing it answered; restarted, it takes over its PostgreSQL and the audit log verifies", async () => {
    const agent = await a.createAgent(`nodekill-${Date.now()}`);
    const loadA = new DecisionLoad(a.url, agent.apiKey, { concurrency: 6, label: `nodekill-a-${Date.now()}` });
    const loadB = new DecisionLoad(b.url, agent.apiKey, { concurrency: 6, label: `nodekill-b-${Date.now()}` });
    await new Promise((r) => setTimeout(r, 1_000));
    const pg = postmasterPid(a.dataDir)!;
    const rssBefore = rssMiB(b.pid()!);
    // A worker restarted by an earlier scenario may still be starting: wait until each node has its 2, listening.
    const bothListening = async (n: MandateHandle) => n.workerPids().length === 2 && (await workersAnswering(n.url)).join() === "w1,w2";
    expect(await timeUntil(30_000, async () => (await bothListening(a)) && (await bothListening(b)))).toBeLessThan(30_000);
    const workers = [...a.workerPids(), ...b.workerPids()];
    expect(workers.length).toBe(4);
    await b.stop("SIGKILL");
    await a.stop("SIGKILL");
    // Their data-plane workers notice that their primary is gone and exit (finishing what they answer).
    const workersGone = await timeUntil(15_000, async () => workers.every((p) => !isAlive(p)));
    report(`both nodes killed: their 4 data-plane workers exited ${workersGone} ms after their primaries`);
    expect(workers.filter(isAlive)).toEqual([]);
    const answers = [...(await loadA.stop()), ...(await loadB.stop())];
    expect(answers.filter((x) => x.status === 500)).toEqual([]);
    const recorded = await expectAllRecorded(answers);
    report(`both nodes killed (SIGKILL) under load: ${JSON.stringify(DecisionLoad.tally(answers))}; ${recorded} answered = ${recorded} recorded`);
    // A's PostgreSQL outlived it (nobody supervises it now): the restarted node takes it over.
    expect(isAlive(pg)).toBe(true);
    await a.restart();
    await b.restart();
    expect(isAlive(pg)).toBe(false);
    const owner = JSON.parse(readFileSync(join(a.dataDir, "postgres.owner"), "utf8"));
    expect(owner.pid).toBe(a.pid());
    expect((await decide(a, agent.apiKey, "nodekill-after")).body.decision).toBe("allow");
    expect((await decide(b, agent.apiKey, "nodekill-after")).body.decision).toBe("allow");
    const v = await verifyAudit(a.dataDir);
    expect(v.firstBroken).toBeNull();
    expect(v.checkpoints.problems).toEqual([]);
    expect(v.ok).toBe(true);
    report(
      `after the kill: audit verify ok (${v.entries} entries, ${v.checkpoints.count} checkpoints` +
        `${v.checkpoints.notes.length ? `; ${v.checkpoints.notes.join("; ")}` : ""}); node B ${rssBefore} MiB before, ${rssMiB(b.pid()!)} MiB after restart`,
    );
  }, 120_000);
});
