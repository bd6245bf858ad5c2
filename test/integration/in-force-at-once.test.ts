/**
 * A change is in force on the node that made it before it answers (docs/guarantees.md): the very
 * next request after a revocation, a block, a suspension or a publish is decided under it — every
 * time, not usually. Also: made-up credentials cannot grow the node, and the newest audit entries are
 * covered by a signed checkpoint within about a second.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf } from "../../lib/crypto/keys.ts";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";

const AT = "urn:ietf:params:oauth:token-type:access_token";
let m: MandateHandle;
let key: string;

const decide = (k: string, session: string, tool: string, token?: string) => {
  const [server, name] = tool.split("/");
  return api(m.url, k, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server, name },
    arguments: { url: "https://example.com", customer_id: "c1", path: "a.txt" },
    ...(token ? { delegation_token: token } : {}),
  });
};
const form = (path: string, token: string, fields: Record<string, string>) =>
  fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${token}` },
    body: new URLSearchParams(fields).toString(),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

beforeAll(async () => {
  m = await startMandate();
  key = m.credentials!.agents[0].api_key;
}, 120_000);
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

describe("in force on this node before the answer", () => {
  it("a revoked delegation token: no decision sent after the revocation was answered is allowed (5 rounds under load)", async () => {
    let after = 0;
    for (let round = 0; round < 5; round++) {
      const t = await fetch(`${m.url}/api/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: m.adminToken,
          subject_token_type: AT,
          actor_token: key,
          actor_token_type: AT,
          scope: "tool:web/*",
        }).toString(),
      }).then((r) => r.json());
      expect((await decide(key, t.session_id, "web/fetch_url", t.access_token)).body.decision).toBe("allow"); // cached as valid
      // Decisions with the token keep arriving while it is revoked: those sent after the revocation was
      // answered must all be refused.
      let revokedAt = Infinity;
      let running = true;
      const violations: unknown[] = [];
      const callers = Array.from({ length: 12 }, async () => {
        while (running) {
          const sentAt = Date.now();
          const r = await decide(key, t.session_id, "web/fetch_url", t.access_token);
          if (sentAt > revokedAt) {
            after++;
            if (r.body.decision !== "deny") violations.push({ sentAfterMs: sentAt - revokedAt, body: r.body });
          }
        }
      });
      await new Promise((r) => setTimeout(r, 100));
      const rev = await form("/api/v1/token/revoke", m.adminToken, { token: t.access_token });
      revokedAt = Date.now();
      expect(rev.body).toEqual({ revoked: 1 });
      await new Promise((r) => setTimeout(r, 150));
      running = false;
      await Promise.all(callers);
      expect(violations).toEqual([]);
    }
    expect(after).toBeGreaterThan(10);
  }, 120_000);

  it("a revoked key, a suspended agent, a blocked tool and a published policy: each at the next request", async () => {
    for (let i = 0; i < 5; i++) {
      const agent = await api(m.url, m.adminToken, "POST", "/api/v1/agents", { name: `at-once-${i}-${randomUUID().slice(0, 8)}` });
      const k = agent.body.apiKey as string;
      expect((await decide(k, `s-${i}`, "crm/get_customer")).body.decision).toBe("allow");
      expect((await api(m.url, m.adminToken, "POST", `/api/v1/agents/${agent.body.name}/suspend`, { reason: "test" })).status).toBe(200);
      expect((await decide(k, `s-${i}`, "crm/get_customer")).body.reasons[0].policy).toBe("mandate.agent_suspended");
      expect((await api(m.url, m.adminToken, "POST", `/api/v1/keys/${keyIdOf(k)}/revoke`, {})).status).toBe(200);
      expect((await decide(k, `s-${i}`, "crm/get_customer")).status).toBe(401);

      expect((await decide(key, `t-${i}`, "crm/get_customer")).body.decision).toBe("allow");
      expect((await api(m.url, m.adminToken, "POST", "/api/v1/tools/crm/get_customer/block", { reason: "test" })).status).toBe(200);
      expect((await decide(key, `t-${i}`, "crm/get_customer")).body.reasons[0].policy).toBe("mandate.tool_blocked");
      expect((await api(m.url, m.adminToken, "POST", "/api/v1/tools/crm/get_customer/unblock", { reason: "test" })).status).toBe(200);
      expect((await decide(key, `t-${i}`, "crm/get_customer")).body.decision).toBe("allow");

      const pub = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: `${DEFAULT_POLICY}\n// round ${i}\n` });
      expect(pub.status).toBe(201);
      expect((await decide(key, `t-${i}`, "crm/get_customer")).body.policy_version).toBe(pub.body.label);
    }
  }, 120_000);
});

describe("bounded by design", () => {
  it("5,000 made-up keys leave at most 4,096 cached, and each is still refused", async () => {
    const N = 5_000;
    let refused = 0;
    for (let i = 0; i < N; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: 200 }, (_, j) =>
          fetch(`${m.url}/api/v1/decisions`, {
            method: "POST",
            headers: {
              authorization: `Bearer mnd_ak_fake${String(i + j).padStart(4, "0")}_${randomUUID().replace(/-/g, "")}`,
              "content-type": "application/json",
            },
            body: "{}",
          }).then((r) => r.status),
        ),
      );
      refused += batch.filter((s) => s === 401).length;
    }
    expect(refused).toBe(N);
    const health = await (await fetch(`${m.url}/api/v1/health`)).json();
    expect(health.caches.credentials.unknown).toBeLessThanOrEqual(4_096);
    expect(health.caches.credentials.unknown).toBeGreaterThan(1_000);
  }, 180_000);
});

describe("the newest audit entries are covered by a signed checkpoint", () => {
  it("deleting the newest entry 3 s after it was written (trigger disabled) fails audit verify", async () => {
    const d = await decide(key, `cp-${randomUUID()}`, "files/read_file");
    expect(d.status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_000));
    const c = await getPool().connect();
    try {
      await c.query("ALTER TABLE audit_entries DISABLE TRIGGER USER");
      const del = await c.query("DELETE FROM audit_entries WHERE decision_id = $1 AND kind = 'decision' RETURNING chain_id, seq", [d.body.decision_id]);
      expect(del.rowCount).toBe(1);
      // It was the newest entry of its chain: nothing later links to it, so only a checkpoint can tell.
      const later = await c.query("SELECT count(*)::int AS n FROM audit_entries WHERE chain_id = $1 AND seq > $2", [del.rows[0].chain_id, del.rows[0].seq]);
      expect(later.rows[0].n).toBe(0);
    } finally {
      await c.query("ALTER TABLE audit_entries ENABLE TRIGGER USER");
      c.release();
    }
    const v = await verifyAudit(m.dataDir);
    expect(v.firstBroken).toBeNull();
    expect(v.ok).toBe(false);
    expect(v.checkpoints.problems.join("\n")).toMatch(/is missing — history was truncated/);
  }, 60_000);
});
