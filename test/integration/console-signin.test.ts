/**
 * Console sign-in security on two real nodes sharing one PostgreSQL (and one NEXTAUTH_SECRET):
 * throttling of failed sign-ins per account and per source address (counted in PostgreSQL, so across
 * nodes), password checks off the data plane's event loop, equal cost for unknown emails, and sign-out
 * ending the session on every node at once. Each scenario signs in from its own loopback address
 * (127.0.0.x), which the node sees as the client's address.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";
import { csrf, httpRequest, signInAttempt, signOut } from "../support/console-http.ts";

/** bcrypt, cost 16, of "slow-correct-password": checking it takes 16 times a normal (cost 12) check. */
const SLOW_HASH = "$2b$16$NbnXm9pirGzijbDrmutY7.K855rZDEDCxa5cVJ.nr.uMPCRcfVdY2";
const SOURCE_LIMIT = 12;

let a: MandateHandle, b: MandateHandle;

beforeAll(async () => {
  globalSetup();
  const env = { NEXTAUTH_SECRET: randomUUID() + randomUUID(), MANDATE_LOGIN_MAX_SOURCE_FAILURES: String(SOURCE_LIMIT) };
  a = await startMandate({ console: true, env });
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ console: true, databaseUrl: a.databaseUrl, env: { ...env, MANDATE_MASTER_KEY: masterKey } });
}, 240_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await closeTestDb();
});

async function newUser(role: "admin" | "analyst" | "viewer" = "analyst") {
  const password = `pw-${randomUUID()}`;
  const u = await createUser(noNode(), { email: `${role}-${randomUUID().slice(0, 8)}@signin.test`, role, password }, "test:setup");
  return { id: u.id, email: u.email, password };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};

async function auditOf(action: string, email: string) {
  const r = await getPool().query("SELECT actor, data FROM audit_entries WHERE action = $1 AND data->>'email' = $2 ORDER BY created_at", [action, email]);
  return r.rows as Array<{ actor: string; data: Record<string, unknown> }>;
}

describe("throttling", () => {
  it("after 10 failed sign-ins for one account (on either node), the next is refused without checking the password, even the right one", async () => {
    const u = await newUser();
    const from = "127.0.0.2";
    const wrong: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await signInAttempt(i % 2 ? b.url : a.url, u.email, `wrong-${i}`, { localAddress: from });
      expect(r.outcome).toBe("refused");
      wrong.push(r.ms);
    }
    // From now on the password would take 16 times as long to check: a refused attempt that checked it
    // could not answer within a few normal checks.
    await getPool().query("UPDATE users SET password_hash = $2 WHERE id = $1", [u.id, SLOW_HASH]);
    for (const node of [b, a]) {
      const r = await signInAttempt(node.url, u.email, "slow-correct-password", { localAddress: from });
      expect(r.outcome).toBe("throttled");
      expect(r.retryAfter).toBeGreaterThan(0);
      expect(r.retryAfter).toBeLessThanOrEqual(900);
      expect(r.ms).toBeLessThan(4 * Math.min(...wrong));
    }
    const failed = await auditOf("auth.signin_failed", u.email);
    expect(failed).toHaveLength(10);
    expect(failed[0].data).toMatchObject({ reason: "wrong_password", source: from });
    expect(JSON.stringify(failed)).not.toContain("wrong-");
    expect((await auditOf("auth.signin_throttled", u.email)).length).toBeGreaterThanOrEqual(1);
  });

  it("a successful sign-in resets the account's counter", async () => {
    const u = await newUser();
    const from = "127.0.0.3";
    for (let i = 0; i < 9; i++) expect((await signInAttempt(i % 2 ? b.url : a.url, u.email, "wrong", { localAddress: from })).outcome).toBe("refused");
    expect((await signInAttempt(a.url, u.email, u.password, { localAddress: from })).outcome).toBe("signed_in");
    expect((await signInAttempt(b.url, u.email, "wrong", { localAddress: from })).outcome).toBe("refused");
    // 11 sign-ins, 10 of them failed: without the reset this one would be refused.
    expect((await signInAttempt(b.url, u.email, u.password, { localAddress: from })).outcome).toBe("signed_in");
  });

  it("failures are counted per source address as the node sees it; X-Forwarded-For is not trusted", async () => {
    const from = "127.0.0.4";
    for (let i = 0; i < SOURCE_LIMIT; i++) {
      const r = await signInAttempt(i % 2 ? b.url : a.url, `nobody-${randomUUID().slice(0, 8)}@signin.test`, "wrong", {
        localAddress: from,
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
      expect(r.outcome).toBe("refused");
    }
    const u = await newUser();
    const blocked = await signInAttempt(a.url, u.email, u.password, { localAddress: from, headers: { "x-forwarded-for": "203.0.113.200" } });
    expect(blocked.outcome).toBe("throttled");
    expect((await signInAttempt(a.url, u.email, u.password, { localAddress: "127.0.0.5" })).outcome).toBe("signed_in");
  });
});

describe("password checks", () => {
  it("an unknown email costs about the same time as a known one", async () => {
    const u = await newUser();
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      const from = `127.0.0.${10 + i}`;
      known.push((await signInAttempt(a.url, u.email, "wrong", { localAddress: from })).ms);
      unknown.push((await signInAttempt(a.url, `ghost-${randomUUID().slice(0, 8)}@signin.test`, "wrong", { localAddress: from })).ms);
    }
    // Both are one bcrypt check (~0.3–1 s here); before, an unknown email answered in ~1/40 of the time.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it("16 concurrent failed sign-ins do not hold up the data plane's event loop", async () => {
    const health = async () => {
      const t0 = performance.now();
      const r = await httpRequest(`${a.url}/api/v1/health`);
      expect(r.status).toBe(200);
      return performance.now() - t0;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) baseline.push(await health());
    const sources = Array.from({ length: 16 }, (_, i) => `127.0.1.${i + 1}`);
    const tokens = await Promise.all(sources.map((s) => csrf(a.url, s)));
    let pending = sources.length;
    const logins = sources.map((s, i) =>
      signInAttempt(a.url, `load-${randomUUID().slice(0, 8)}@signin.test`, "wrong", { localAddress: s, pre: tokens[i] }).finally(() => pending--),
    );
    const during: number[] = [];
    while (pending > 0) {
      during.push(await health());
      await new Promise((r) => setTimeout(r, 20)); // pacing, not synchronisation
    }
    expect((await Promise.all(logins)).map((r) => r.outcome)).toEqual(sources.map(() => "refused"));
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(median(during)).toBeLessThan(5 * median(baseline) + 50);
  });
});

describe("sign-out", () => {
  it("ends the console session on every node at once: pages redirect to /login, the API answers 401", async () => {
    const u = await newUser("analyst");
    const r = await signInAttempt(a.url, u.email, u.password, { localAddress: "127.0.0.20" });
    expect(r.outcome).toBe("signed_in");
    const cookie = r.cookie!;
    const page = (n: MandateHandle) => httpRequest(`${n.url}/tools`, { headers: { cookie } });
    const apiCall = (n: MandateHandle) => httpRequest(`${n.url}/api/v1/approvals`, { headers: { cookie } });
    expect((await page(b)).status).toBe(200);
    expect((await apiCall(b)).status).toBe(200);

    const out = await signOut(a.url, cookie);
    expect(out.status).toBe(200);
    for (const n of [b, a]) {
      const p = await page(n);
      expect(p.status).toBe(307);
      expect(String(p.headers.location)).toMatch(/\/login/);
      expect((await apiCall(n)).status).toBe(401);
    }
    const ended = await auditOf("auth.signout", u.email);
    expect(ended).toHaveLength(1);
    expect(ended[0].actor).toBe(`user:${u.email}`);
    expect((await auditOf("auth.signin", u.email))[0].data).toMatchObject({ provider: "credentials", source: "127.0.0.20" });
  });
});
