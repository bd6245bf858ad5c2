/**
 * Two real nodes sharing one PostgreSQL, for two counters of issue 15 §3:
 * - delegation call budgets (claim max_calls, docs/delegation.md "Call budget"): exact under concurrent calls
 *   on both nodes, a child's budget never above its parent's remaining calls, a child's calls spending its
 *   ancestors' budgets, and bad max_calls values refused with nothing written;
 * - consecutive failed outcomes (context.counters.session.consecutiveFailures, docs/policies.md "Counters"):
 *   outcomes reported on one node are in force for the next decision on the other.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { recordStreaks, streakChanges } from "../../lib/counters/failure-streaks.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";

let a: MandateHandle, b: MandateHandle;
let support: string, research: string;

async function token(n: MandateHandle, fields: Record<string, string> | string) {
  const r = await fetch(`${n.url}/api/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: typeof fields === "string" ? fields : new URLSearchParams(fields).toString(),
  });
  return { status: r.status, body: await r.json() };
}
const grant = (n: MandateHandle, subject: string, actor: string, extra: Record<string, string>, type = AT) =>
  token(n, { grant_type: EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: actor, actor_token_type: AT, ...extra });
const decide = (n: MandateHandle, key: string, session: string, tok: string, i: number) =>
  api(n.url, key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server: "files", name: "read_file" },
    arguments: { path: `f${i}` },
    delegation_token: tok,
  });
const delegation = async (jti: string) => (await api(a.url, a.adminToken, "GET", `/api/v1/delegations/${jti}`)).body.delegation;

beforeAll(async () => {
  a = await startMandate();
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ databaseUrl: a.databaseUrl, env: { MANDATE_MASTER_KEY: masterKey } });
  [support, , research] = a.credentials!.agents.map((x) => x.api_key);
}, 240_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await closeTestDb();
});

describe("delegation call budget", () => {
  it("two nodes together allow exactly max_calls of many concurrent calls; the rest are denied mandate.delegation_budget", async () => {
    const MAX = 25;
    const t = await grant(a, a.adminToken, support, { scope: "tool:files/read_file", max_calls: String(MAX) });
    expect(t.status).toBe(200);
    expect(t.body.max_calls).toBe(MAX);
    const jti = jose.decodeJwt(t.body.access_token).jti as string;
    expect(jose.decodeJwt(t.body.access_token).max_calls).toBe(MAX);
    const sid = t.body.session_id;
    const N = 80;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => decide(i % 2 ? b : a, support, sid, t.body.access_token, i)));
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    const allowed = results.filter((r) => r.body.decision === "allow");
    const denied = results.filter((r) => r.body.decision !== "allow");
    expect(allowed.length).toBe(MAX);
    expect(new Set(denied.map((r) => r.body.reasons.map((x: { policy: string }) => x.policy).join()))).toEqual(new Set(["mandate.delegation_budget"]));
    expect(denied[0].body.reasons[0].message).toBe(`the delegation's call budget (${MAX} calls) is spent`);
    const audited = await getPool().query(
      `SELECT outcome, count(*)::int AS n FROM audit_entries WHERE session_id = $1 AND kind = 'decision' GROUP BY outcome ORDER BY outcome`,
      [sid],
    );
    expect(audited.rows).toEqual([
      { outcome: "allow", n: MAX },
      { outcome: "deny", n: N - MAX },
    ]);
    expect(await delegation(jti)).toMatchObject({ max_calls: MAX, calls_used: MAX, remaining_calls: 0 });
    const listed = await api(a.url, a.adminToken, "GET", `/api/v1/delegations?session_id=${sid}`);
    expect(listed.body.delegations[0]).toMatchObject({ id: jti, max_calls: MAX, calls_used: MAX, remaining_calls: 0 });
  }, 60_000);

  it("a child's budget is at most its parent's remaining calls, and a child's calls spend the parent's budget", async () => {
    const p = await grant(a, a.adminToken, support, { scope: "tool:files/*", max_calls: "10" });
    const pj = jose.decodeJwt(p.body.access_token).jti as string;
    const sid = p.body.session_id;
    for (let i = 0; i < 4; i++) expect((await decide(i % 2 ? a : b, support, sid, p.body.access_token, i)).body.decision).toBe("allow");
    const before = (await getPool().query(`SELECT count(*)::int AS n FROM delegations`)).rows[0].n;
    const tooMuch = await grant(b, p.body.access_token, research, { max_calls: "7" }, JWT);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body).toEqual({
      error: "invalid_request",
      error_description: "max_calls 7 exceeds the parent delegation's remaining call budget (6 calls left): a delegation can only narrow",
    });
    expect((await getPool().query(`SELECT count(*)::int AS n FROM delegations`)).rows[0].n).toBe(before);
    const c = await grant(b, p.body.access_token, research, { max_calls: "6" }, JWT);
    expect(c.status).toBe(200);
    // A grandchild without a budget of its own still spends its ancestors'.
    const g = await grant(a, c.body.access_token, research, {}, JWT);
    expect(g.status).toBe(200);
    expect(jose.decodeJwt(g.body.access_token).max_calls).toBeUndefined();
    for (let i = 0; i < 5; i++) expect((await decide(i % 2 ? a : b, research, sid, g.body.access_token, 10 + i)).body.decision).toBe("allow");
    // The parent has 1 call left: its own token gets it, then nobody under it does.
    expect((await decide(a, support, sid, p.body.access_token, 20)).body.decision).toBe("allow");
    const last = await decide(b, research, sid, c.body.access_token, 21);
    expect(last.body.reasons).toEqual([
      { policy: "mandate.delegation_budget", message: `the call budget of delegation ${pj}, which this one came from, (10 calls) is spent` },
    ]);
    const cj = jose.decodeJwt(c.body.access_token).jti as string;
    expect(await delegation(pj)).toMatchObject({ max_calls: 10, calls_used: 10, remaining_calls: 0 });
    expect(await delegation(cj)).toMatchObject({ max_calls: 6, calls_used: 5, remaining_calls: 1 });
    expect(await delegation(jose.decodeJwt(g.body.access_token).jti as string)).toMatchObject({ max_calls: null, calls_used: null, remaining_calls: null });
    // No call left under the parent: no child budget fits.
    const none = await grant(a, p.body.access_token, research, { max_calls: "1" }, JWT);
    expect(none.body.error_description).toContain("(0 calls left)");
  }, 60_000);

  it("refuses a bad max_calls with 400 invalid_request and writes nothing", async () => {
    const count = async () =>
      (
        await getPool().query(
          `SELECT (SELECT count(*) FROM delegations)::int AS d, (SELECT count(*) FROM audit_entries WHERE action = 'delegation.issue')::int AS e`,
        )
      ).rows[0];
    const before = await count();
    const base = {
      grant_type: EXCHANGE,
      subject_token: a.adminToken,
      subject_token_type: AT,
      actor_token: support,
      actor_token_type: AT,
      scope: "tool:files/*",
    };
    for (const bad of ["", "0", "-3", "2.5", "1e2", "abc", "007", "1000000001", "99999999999999999999"]) {
      const r = await token(a, { ...base, max_calls: bad });
      expect([bad, r.status, r.body.error]).toEqual([bad, 400, "invalid_request"]);
    }
    const twice = await token(a, `${new URLSearchParams(base).toString()}&max_calls=3&max_calls=4`);
    expect([twice.status, twice.body.error]).toEqual([400, "invalid_request"]);
    expect(await count()).toEqual(before);
    const s = `bud-${randomUUID()}`;
    const ok = await token(a, { ...base, session_id: s, max_calls: "1000000000" });
    expect(ok.status).toBe(200);
    const row = await getPool().query(`SELECT max_calls FROM delegations WHERE session_id = $1`, [s]);
    expect(row.rows).toEqual([{ max_calls: 1_000_000_000 }]);
    const issued = await getPool().query(`SELECT data FROM audit_entries WHERE action = 'delegation.issue' AND session_id = $1`, [s]);
    expect(issued.rows[0].data.max_calls).toBe(1_000_000_000);
  }, 60_000);
});

describe("consecutive failures", () => {
  const call = (n: MandateHandle, session: string, i: number) =>
    api(n.url, support, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server: "files", name: "read_file" }, arguments: { path: `g${i}` } });
  const outcome = (decisionId: string, status: "success" | "error", eventId = `ev-${randomUUID()}`) =>
    api(a.url, support, "POST", "/api/v1/events", { events: [{ event_id: eventId, decision_id: decisionId, status }] });
  const streak = async (sid: string) =>
    (await getPool().query(`SELECT failures FROM session_failure_streaks WHERE session_id = $1`, [sid])).rows[0]?.failures ?? 0;

  it("a policy on context.counters.session.consecutiveFailures denies after three failed outcomes and allows again after a success", async () => {
    const probe = async (n: MandateHandle) => (await call(n, `probe-${randomUUID()}`, 0)).body.policy_version as string;
    const before = await probe(a);
    await a.publishPolicy(`${DEFAULT_POLICY}
@id("failing")
@reason("three failed calls in a row: a human should look")
forbid (principal, action, resource) when { context.counters.session.consecutiveFailures >= 3 };
`);
    const after = await probe(a);
    expect(after).not.toBe(before);
    for (let t0 = Date.now(); (await probe(b)) !== after;) {
      expect(Date.now() - t0).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Decisions on node B (its session state cached and warm), outcomes reported on node A.
    const sid = `fail-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await call(b, sid, i);
      expect([i, d.body.decision]).toEqual([i, "allow"]);
      ids.push(d.body.decision_id);
      const first = `ev-${randomUUID()}`;
      expect((await outcome(d.body.decision_id, "error", first)).body).toEqual({ accepted: 1, duplicates: 0 });
      // The same event again is a duplicate and counts once.
      expect((await outcome(d.body.decision_id, "error", first)).body).toEqual({ accepted: 0, duplicates: 1 });
      expect(await streak(sid)).toBe(i + 1);
    }
    const denied = await call(b, sid, 3);
    expect(denied.body.decision).toBe("deny");
    expect(denied.body.reasons).toEqual([{ policy: "failing", message: "three failed calls in a row: a human should look" }]);
    expect((await outcome(ids[2], "success")).status).toBe(200);
    expect(await streak(sid)).toBe(0);
    expect((await call(b, sid, 4)).body.decision).toBe("allow");
    // A failure after the success starts a new count: one is not three.
    await outcome(ids[0], "error");
    expect((await call(b, sid, 5)).body.decision).toBe("allow");
    expect(await streak(sid)).toBe(1);
  }, 60_000);
});

describe("context.delegation.remainingCalls and the console's grant with a budget", () => {
  it("a policy can keep a reserve of a delegation's budget; the console grant sets max_calls and rejects a bad one", async () => {
    await a.publishPolicy(`${DEFAULT_POLICY}
@id("budget-reserve")
@reason("keep the last 2 calls of a delegation's budget for a human")
forbid (principal, action == Action::"tools/call", resource)
when { context.delegation has remainingCalls && context.delegation.remainingCalls <= 2 };
`);
    const sid = `grant-${randomUUID()}`;
    expect(
      (await api(a.url, support, "POST", "/api/v1/decisions", { session: { id: sid }, tool: { server: "files", name: "read_file" }, arguments: { path: "x" } }))
        .body.decision,
    ).toBe("allow");
    const path = `/api/v1/sessions/${sid}/delegations`;
    const before = (await getPool().query(`SELECT count(*)::int AS n FROM delegations WHERE session_id = $1`, [sid])).rows[0].n;
    for (const bad of [0, -1, 2.5, 1_000_000_001, "5"]) {
      const r = await api(a.url, a.adminToken, "POST", path, { agent: "support-assistant", scope: "tool:files/*", max_calls: bad });
      expect([bad, r.status]).toEqual([bad, 400]);
    }
    expect((await getPool().query(`SELECT count(*)::int AS n FROM delegations WHERE session_id = $1`, [sid])).rows[0].n).toBe(before);
    const g = await api(a.url, a.adminToken, "POST", path, { agent: "support-assistant", scope: "tool:files/*", max_calls: 5 });
    expect(g.status).toBe(201);
    expect(g.body.max_calls).toBe(5);
    expect(jose.decodeJwt(g.body.access_token).max_calls).toBe(5);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push((await decide(a, support, sid, g.body.access_token, 100 + i)).body.decision);
    // 5, 4, 3 calls left: allowed; 2 left: the reserve policy denies (and a denied call spends nothing).
    expect(outcomes).toEqual(["allow", "allow", "allow", "deny", "deny"]);
    const denied = await decide(a, support, sid, g.body.access_token, 200);
    expect(denied.body.reasons).toEqual([{ policy: "budget-reserve", message: "keep the last 2 calls of a delegation's budget for a human" }]);
    expect(await delegation(g.body.delegation_id)).toMatchObject({ max_calls: 5, calls_used: 3, remaining_calls: 2 });
    // Without a delegation there is no remainingCalls: the reserve policy does not apply to the agent's own key.
    const own = await api(a.url, support, "POST", "/api/v1/decisions", {
      session: { id: sid },
      tool: { server: "files", name: "read_file" },
      arguments: { path: "y" },
    });
    expect(own.body.decision).toBe("allow");
  }, 60_000);
});

describe("failure streaks in PostgreSQL, a batch at a time", () => {
  const streaks = async (ids: string[]) =>
    Object.fromEntries(
      (await getPool().query(`SELECT session_id, failures FROM session_failure_streaks WHERE session_id = ANY($1)`, [ids])).rows.map((r) => [
        r.session_id,
        r.failures,
      ]),
    );
  const ev = (sessionId: string, ok: boolean) => ({ sessionId, status: ok ? ("success" as const) : ("error" as const) });

  it("applies a batch over many sessions like one outcome at a time, writes no row for sessions that only succeeded", async () => {
    const p = `st-${randomUUID().slice(0, 8)}`;
    const [grow, reset, resetTail, fresh, okOnly, zero] = ["grow", "reset", "resettail", "fresh", "okonly", "zero"].map((x) => `${p}-${x}`);
    await getPool().query(`INSERT INTO session_failure_streaks (session_id, failures) VALUES ($1, 2), ($2, 5), ($3, 4), ($4, 0)`, [
      grow,
      reset,
      resetTail,
      zero,
    ]);
    const changes = streakChanges([
      ev(grow, false),
      ev(reset, false),
      ev(reset, true),
      ev(resetTail, true),
      ev(resetTail, false),
      ev(resetTail, false),
      ev(fresh, false),
      ev(okOnly, true),
      ev(zero, true),
      ev(grow, false),
    ]);
    const changed = await recordStreaks(changes);
    expect(new Set(changed)).toEqual(new Set([grow, reset, resetTail, fresh]));
    expect(await streaks([grow, reset, resetTail, fresh, okOnly, zero])).toEqual({ [grow]: 4, [reset]: 0, [resetTail]: 2, [fresh]: 1, [zero]: 0 });
    // Nothing to change: nothing reported.
    expect(await recordStreaks(streakChanges([ev(reset, true), ev(okOnly, true)]))).toEqual([]);
  });

  it("concurrent batches over the same sessions in opposite orders neither deadlock nor lose a failure", async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `dl-${randomUUID().slice(0, 8)}-${String(i).padStart(3, "0")}`);
    const batch = (order: string[]) => streakChanges(order.map((s) => ev(s, false)));
    const rounds = 10;
    await Promise.all(Array.from({ length: rounds }, (_, i) => recordStreaks(batch(i % 2 ? [...ids].reverse() : ids))));
    const after = await streaks(ids);
    expect(Object.values(after)).toEqual(ids.map(() => rounds));
  }, 60_000);
});
