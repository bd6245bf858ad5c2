/**
 * The decision path end to end against a real Mandate node and its embedded PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAudit } from "../../lib/audit/export.ts";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { decisionResponse, eventsResponse, problem } from "../../lib/api/schemas.ts";
import { getPool } from "../../lib/db/pool.ts";
import { runRoute } from "../../lib/http/route.ts";
import { buildRouter } from "../../lib/http/routes/index.ts";
import { loadMasterKey } from "../../lib/crypto/master-key.ts";
import { startRuntime } from "../../lib/runtime/start.ts";
import { foreignAttempts } from "../../lib/sessions/foreign-attempts.ts";
import { sessionCallGroups, timelineSteps } from "../../lib/sessions/queries-timeline.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let key: string;
const decide = (body: unknown, k = key) => api(m.url, k, "POST", "/api/v1/decisions", body);
const call = (session: string, server: string, name: string, args: Record<string, unknown> = {}) =>
  decide({ session: { id: session }, tool: { server, name }, arguments: args });

beforeAll(async () => {
  m = await startMandate();
  key = m.credentials!.agents[0].api_key;
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("decisions", () => {
  it("allows, then denies the lethal trifecta naming the policy", async () => {
    const s = `trifecta-${randomUUID()}`;
    expect((await call(s, "crm", "get_customer", { customer_id: "c-1" })).body.decision).toBe("allow");
    expect((await call(s, "web", "fetch_url", { url: "https://example.com" })).body.decision).toBe("allow");
    const r = await call(s, "mail", "send_email", { to: "a@b.c", subject: "x", body: "y" });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe("deny");
    expect(r.body.reasons.map((x: { policy: string }) => x.policy)).toEqual(["lethal-trifecta"]);
    expect(r.body.session).toEqual({ id: s, step: 3 });
    expect(r.body.policy_version).toBe("mcp@v1");
    // responses match the published contract (the schemas the OpenAPI document is generated from)
    expect(decisionResponse.safeParse(r.body).success).toBe(true);
  });

  it("the same mail is allowed in a session without the trifecta", async () => {
    const r = await call(`clean-${randomUUID()}`, "mail", "send_email", { to: "a@b.c", subject: "x", body: "y" });
    expect(r.body.decision).toBe("allow");
  });

  it("requires approval for destructive tools and denies unapproved or unknown tools", async () => {
    const s = `d-${randomUUID()}`;
    const r = await call(s, "files", "delete_file", { path: "x.txt" });
    expect(r.body.decision).toBe("require_approval");
    expect(r.body.approval.status).toBe("pending");
    expect((await call(s, "crm", "export_customers")).body.reasons[0].policy).toBe("mandate.tool_not_approved");
    expect((await call(s, "crm", "no_such_tool")).body.reasons[0].policy).toBe("mandate.tool_unknown");
  });

  it("keeps an exact step count under concurrent requests on one session", async () => {
    const s = `conc-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 60 }, () => call(s, "files", "read_file", { path: "a" })));
    const steps = results.map((r) => r.body.session.step).sort((a, b) => a - b);
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const row = await getPool().query("SELECT step_count FROM sessions WHERE id = $1", [s]);
    expect(row.rows[0].step_count).toBe(60);
  });

  it("does not let another agent act in a session it does not own", async () => {
    const s = `own-${randomUUID()}`;
    await call(s, "files", "read_file", { path: "a" });
    const other = m.credentials!.agents[1].api_key;
    const r = await decide({ session: { id: s }, tool: { server: "files", name: "read_file" }, arguments: {} }, other);
    expect(r.body.decision).toBe("deny");
    expect(r.body.reasons[0].policy).toBe("mandate.session_not_owned");
  });

  it("records another agent's attempts without a step: the owner's steps stay 1..N under concurrency, its labels and deny count unchanged", async () => {
    const s = `foreign-${randomUUID()}`;
    const other = m.credentials!.agents[1].api_key;
    expect((await call(s, "crm", "get_customer", { customer_id: "c-1" })).body.session).toEqual({ id: s, step: 1 });
    const N = 30;
    const [owner, foreign] = await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => call(s, "files", "read_file", { path: `a${i}` }))),
      Promise.all(
        Array.from({ length: N }, (_, i) =>
          decide({ session: { id: s }, tool: { server: "web", name: "fetch_url" }, arguments: { url: `https://x.example/${i}` } }, other),
        ),
      ),
    ]);
    expect(owner.map((r) => r.body.session.step).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 2));
    for (const r of foreign) {
      expect(r.status).toBe(200);
      expect(r.body.decision).toBe("deny");
      expect(r.body.reasons.map((x: { policy: string }) => x.policy)).toEqual(["mandate.session_not_owned"]);
      expect(r.body.session).toEqual({ id: s, step: null });
      expect(decisionResponse.safeParse(r.body).success).toBe(true);
    }
    // The owner's own deny counts; the foreign ones do not.
    expect((await call(s, "crm", "no_such_tool")).body.session.step).toBe(N + 2);
    const row = (await getPool().query("SELECT step_count, deny_count, labels, tools_used FROM sessions WHERE id = $1", [s])).rows[0];
    expect(row).toEqual({ step_count: N + 2, deny_count: 1, labels: ["pii"], tools_used: ["crm/get_customer", "files/read_file"] });

    // In the audit log: the targeted session and the attempting agent, no step.
    const entries = await getPool().query(
      `SELECT e.step, e.agent_id, a.name, e.outcome, e.data->'session' AS session FROM audit_entries e JOIN agents a ON a.id = e.agent_id
        WHERE e.session_id = $1 AND e.kind = 'decision' AND e.step IS NULL`,
      [s],
    );
    expect(entries.rows).toHaveLength(N);
    const ownerId = (await getPool().query("SELECT agent_id FROM sessions WHERE id = $1", [s])).rows[0].agent_id;
    for (const e of entries.rows) {
      expect(e).toMatchObject({ step: null, name: m.credentials!.agents[1].name, outcome: "deny" });
      expect(e.session).toEqual({ foreign_attempt: true, id: s, owner_agent_id: ownerId, step: null });
    }
    const steps = await getPool().query("SELECT step FROM audit_entries WHERE session_id = $1 AND kind = 'decision' AND step IS NOT NULL ORDER BY step", [s]);
    expect(steps.rows.map((x) => x.step)).toEqual(Array.from({ length: N + 2 }, (_, i) => i + 1));

    // The timeline has the owner's steps only; the foreign attempts are listed apart; the graph's edges are steps.
    const timeline = await timelineSteps(s, 0, 1000);
    expect(timeline.steps.map((x) => x.step)).toEqual(Array.from({ length: N + 2 }, (_, i) => i + 1));
    const attempts = await foreignAttempts(s, 10);
    expect(attempts.total).toBe(N);
    expect(attempts.attempts).toHaveLength(10);
    expect(attempts.attempts[0]).toMatchObject({
      agent: m.credentials!.agents[1].name,
      tool: "web/fetch_url",
      reasons: [{ policy: "mandate.session_not_owned" }],
    });
    expect((await sessionCallGroups(s)).reduce((n, g) => n + g.count, 0)).toBe(N + 2);

    // The export carries them with a null step.
    let jsonl = "";
    for await (const chunk of exportAudit({ session: s, kind: ["decision"] }, "jsonl")) jsonl += chunk;
    const lines = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.step === null)).toHaveLength(N);
  });

  it("stores redacted arguments, never the secret", async () => {
    const s = `red-${randomUUID()}`;
    const secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    const r = await call(s, "files", "write_file", { path: "notes.txt", content: `token=${secret}` });
    expect(r.body.decision).toBe("allow");
    const row = await getPool().query("SELECT data FROM audit_entries WHERE decision_id = $1", [r.body.decision_id]);
    expect(JSON.stringify(row.rows[0].data)).not.toContain(secret);
  });
});

describe("commit path", () => {
  it("mandate_commit keeps keyed plans, so a batch never scans every session", async () => {
    // A replaced function loses its SET clauses (prisma/migrations/20261126120000_commit_index_plans).
    const r = await getPool().query("SELECT proconfig FROM pg_proc WHERE proname = 'mandate_commit'");
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].proconfig).toEqual(expect.arrayContaining(["enable_seqscan=off", "enable_hashjoin=off", "enable_mergejoin=off"]));
  });

  it("updates a busy session's row without touching the session indexes (HOT), last activity to the second", async () => {
    const pool = getPool();
    const s = `hot-${randomUUID()}`;
    expect((await call(s, "files", "read_file", { path: "a" })).body.decision).toBe("allow");
    const first = (await pool.query("SELECT last_activity_at FROM sessions WHERE id = $1", [s])).rows[0].last_activity_at as Date;
    for (let i = 0; i < 20; i++) await call(s, "files", "read_file", { path: "a" });
    const row = (await pool.query("SELECT step_count, last_activity_at, ctid::text FROM sessions WHERE id = $1", [s])).rows[0];
    expect(row.step_count).toBe(21);
    // Within a second of the stored value, last_activity_at stays (so no indexed column changes)…
    const elapsed = Date.now() - first.getTime();
    if (elapsed < 1000) expect(row.last_activity_at).toEqual(first);
    // …so the row's page holds heap-only versions (or, once pruned, redirects to them): a non-HOT
    // update leaves neither.
    await pool.query("CREATE EXTENSION IF NOT EXISTS pageinspect");
    const block = Number(/^\((\d+),/.exec(row.ctid)![1]);
    const items = await pool.query(
      `SELECT count(*) FILTER (WHERE (t_infomask2 & 32768) <> 0)::int AS heap_only, count(*) FILTER (WHERE lp_flags = 2)::int AS redirects
         FROM heap_page_items(get_raw_page('sessions', $1))`,
      [block],
    );
    expect(items.rows[0].heap_only + items.rows[0].redirects).toBeGreaterThan(0);
    // A decision a second later moves it on.
    await new Promise((r) => setTimeout(r, 1000 - Math.min(elapsed, 1000) + 50));
    await call(s, "files", "read_file", { path: "a" });
    const later = (await pool.query("SELECT last_activity_at FROM sessions WHERE id = $1", [s])).rows[0].last_activity_at as Date;
    expect(later.getTime()).toBeGreaterThanOrEqual(first.getTime() + 1000);
  });
});

describe("bad input", () => {
  it("answers 401 with WWW-Authenticate for missing, malformed and unknown keys", async () => {
    for (const k of ["", "garbage", "mnd_ak_aaaaaaaa_" + "x".repeat(32)]) {
      const r = await fetch(`${m.url}/api/v1/decisions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(k ? { authorization: `Bearer ${k}` } : {}) },
        body: "{}",
      });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("answers 400/413/415 naming the problem", async () => {
    const h = { authorization: `Bearer ${key}` };
    const bad = await fetch(`${m.url}/api/v1/decisions`, {
      method: "POST",
      headers: { ...h, "content-type": "application/json" },
      body: '{"session":{"id":"x"},"tool":{"server":"a"}}',
    });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(problem.safeParse(body).success).toBe(true);
    expect(body.errors[0].path).toBe("tool.name");
    const big = await fetch(`${m.url}/api/v1/decisions`, {
      method: "POST",
      headers: { ...h, "content-type": "application/json" },
      body: JSON.stringify({ x: "a".repeat(1024 * 1024 + 10) }),
    });
    expect(big.status).toBe(413);
    const type = await fetch(`${m.url}/api/v1/decisions`, { method: "POST", headers: { ...h, "content-type": "text/plain" }, body: "{}" });
    expect(type.status).toBe(415);
  });

  it("answers 413 to an oversized body sent without Content-Length (chunked), also to a client still sending", async () => {
    // 4 MiB in 64 KiB chunks, paced: the client is still sending long after the limit is crossed, so
    // the server must read the rest before it answers (closing at once resets the client's writes).
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 2));
        if (sent++ < 64) c.enqueue(chunk);
        else c.close();
      },
    });
    const r = await fetch(`${m.url}/api/v1/decisions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(413);
    expect((await r.json()).type).toContain("body_too_large");
  });
});

describe("OpenAPI", () => {
  it("documents every data-plane route from the handlers' schemas", async () => {
    const r = await fetch(`${m.url}/api/openapi.json`);
    const doc = await r.json();
    expect(doc.openapi).toBe("3.1.0");
    const body = doc.paths["/api/v1/decisions"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["session"]));
    // tools/call takes `tool`, resources/* take `resource`, prompts/get takes `prompt` (which one: `action`).
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["session", "action", "tool", "resource", "prompt", "arguments"]));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/events", "/api/v1/inventory", "/api/v1/tools/visible", "/api/v1/observations", "/api/v1/sessions/{id}/terminate"]),
    );
  });
});

describe("events, operator controls and audit", () => {
  it("records outcome events idempotently and refuses foreign decisions", async () => {
    const r = await call(`ev-${randomUUID()}`, "files", "read_file", { path: "a" });
    const ev = { event_id: `evt-${randomUUID()}`, decision_id: r.body.decision_id, status: "success", duration_ms: 3.5, result_size: 10 };
    const first = await api(m.url, key, "POST", "/api/v1/events", { events: [ev, ev] });
    expect(first.body).toEqual({ accepted: 1, duplicates: 1 });
    expect(eventsResponse.safeParse(first.body).success).toBe(true);
    const again = await api(m.url, key, "POST", "/api/v1/events", { events: [ev] });
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
    // Outcomes join the audit log on the node's events chain, decisions on its decision chain: an
    // ingested batch never holds up a decision's commit.
    const chains = await getPool().query(
      `SELECT e.kind, c.node FROM audit_entries e JOIN audit_chains c ON c.id = e.chain_id WHERE e.decision_id = $1 ORDER BY e.kind`,
      [r.body.decision_id],
    );
    expect(chains.rows.map((x) => x.kind)).toEqual(["decision", "outcome"]);
    expect(chains.rows[0].node).not.toMatch(/\/events$/);
    expect(chains.rows[1].node).toMatch(/\/events$/);
    const foreign = await api(m.url, key, "POST", "/api/v1/events", { events: [{ ...ev, event_id: `evt-${randomUUID()}`, decision_id: randomUUID() }] });
    expect(foreign.status).toBe(422);
  });

  it("stores an outcome event's error text with its secrets redacted, in outcome_events, the audit log and its export", async () => {
    const s = `ev-secret-${randomUUID()}`;
    const r = await call(s, "files", "read_file", { path: "a" });
    const aws = "AKIAUS6Z1YSFBIK9ZYNJ";
    const bearer = "eyJraWQiOiJ0ZXN0In0abcDEF1234567890ghijKLMN";
    const error = `upstream 401: Authorization: Bearer ${bearer} (aws key ${aws}); retried with ${key}`;
    const ev = { event_id: `evt-${randomUUID()}`, decision_id: r.body.decision_id, status: "error", error };
    expect((await api(m.url, key, "POST", "/api/v1/events", { events: [ev] })).body).toEqual({ accepted: 1, duplicates: 0 });
    const secrets = [aws, bearer, key.split("_").slice(3).join("_")];

    const stored = (await getPool().query("SELECT error FROM outcome_events WHERE event_id = $1", [ev.event_id])).rows[0].error as string;
    const keyId = key.split("_").slice(0, 3).join("_");
    expect(stored).toBe(
      `upstream 401: Authorization: Bearer [REDACTED:bearer_token] (aws key [REDACTED:aws_access_key]); retried with ${keyId}_[REDACTED:mandate_agent_key]`,
    );
    const entry = (await getPool().query("SELECT data FROM audit_entries WHERE decision_id = $1 AND kind = 'outcome'", [r.body.decision_id])).rows[0].data;
    expect(entry.error).toBe(stored);
    expect(entry.redactions.map((x: { pattern: string }) => x.pattern).sort()).toEqual(["aws_access_key", "bearer_token", "mandate_agent_key"]);
    expect(entry.redactions.every((x: { path: string; kind: string }) => x.path === "/error" && x.kind === "secret")).toBe(true);
    for (const format of ["jsonl", "csv"] as const) {
      let out = "";
      for await (const chunk of exportAudit({ session: s }, format)) out += chunk;
      expect(out).toContain("REDACTED:aws_access_key");
      for (const secret of secrets) expect(out).not.toContain(secret);
    }
    // Without a secret, the text is stored as sent, with no redaction.
    const plain = { event_id: `evt-${randomUUID()}`, decision_id: r.body.decision_id, status: "error", error: "file not found: a" };
    await api(m.url, key, "POST", "/api/v1/events", { events: [plain] });
    const row = (
      await getPool().query("SELECT o.error, e.data FROM outcome_events o JOIN audit_entries e ON e.data->>'event_id' = o.event_id WHERE o.event_id = $1", [
        plain.event_id,
      ])
    ).rows[0];
    expect(row.error).toBe("file not found: a");
    expect(row.data.redactions).toEqual([]);
  });

  it("suspends an agent and blocks a tool on the next request", async () => {
    const a = await m.createAgent(`temp-${Date.now()}`);
    const s = `op-${randomUUID()}`;
    expect((await decide({ session: { id: s }, tool: { server: "files", name: "read_file" }, arguments: {} }, a.apiKey)).body.decision).toBe("allow");
    const sus = await api(m.url, m.adminToken, "POST", `/api/v1/agents/${a.name}/suspend`, { reason: "test" });
    expect(sus.status).toBe(200);
    await m.settle();
    const r = await decide({ session: { id: s }, tool: { server: "files", name: "read_file" }, arguments: {} }, a.apiKey);
    expect(r.body.reasons[0].policy).toBe("mandate.agent_suspended");

    const blk = await api(m.url, m.adminToken, "POST", `/api/v1/tools/web/fetch_url/block`, { reason: "incident" });
    expect(blk.status).toBe(200);
    await m.settle();
    expect((await call(`b-${randomUUID()}`, "web", "fetch_url", { url: "https://x" })).body.reasons[0].policy).toBe("mandate.tool_blocked");
    await api(m.url, m.adminToken, "POST", `/api/v1/tools/web/fetch_url/unblock`, { reason: "resolved" });
  });

  it("terminates a session", async () => {
    const s = `t-${randomUUID()}`;
    await call(s, "files", "read_file", { path: "a" });
    expect((await api(m.url, m.adminToken, "POST", `/api/v1/sessions/${s}/terminate`, { reason: "suspicious" })).status).toBe(200);
    await m.settle();
    expect((await call(s, "files", "read_file", { path: "a" })).body.reasons[0].policy).toBe("mandate.session_terminated");
  });

  it("an agent key cannot use admin endpoints", async () => {
    expect((await api(m.url, key, "POST", `/api/v1/tools/web/fetch_url/block`, { reason: "x" })).status).toBe(403);
  });

  it("verifies the audit chain, and detects a tampered entry", async () => {
    const ok = await verifyAudit(m.dataDir);
    expect(ok.firstBroken).toBeNull();
    expect(ok.entries).toBeGreaterThan(50);
    const decisions = await getPool().query("SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'decision'");
    expect(decisions.rows[0].n).toBeGreaterThan(60);
    const c = await getPool().connect();
    try {
      await c.query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only");
      const victim = await c.query("SELECT chain_id, seq FROM audit_entries WHERE kind = 'decision' ORDER BY created_at LIMIT 1 OFFSET 3");
      await c.query(`UPDATE audit_entries SET outcome = 'allow', data = jsonb_set(data, '{reasons}', '[]') WHERE chain_id = $1 AND seq = $2`, [
        victim.rows[0].chain_id,
        victim.rows[0].seq,
      ]);
      const bad = await verifyAudit(m.dataDir);
      expect(bad.ok).toBe(false);
      expect(bad.firstBroken).toMatchObject({ chain_id: victim.rows[0].chain_id, seq: Number(victim.rows[0].seq) });
    } finally {
      await c.query("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only");
      c.release();
    }
  });
});

describe("listeners after a commit", () => {
  it("a listener that throws leaves a committed decision answered (200) and recorded", async () => {
    // A second node, in this process, on the same database: its runtime with a listener that throws.
    loadMasterKey({ dataDir: m.dataDir, createIfMissing: false });
    const rt = await startRuntime({ node: `listener-test-${process.pid}`, publicUrl: m.url });
    rt.listeners.push(() => {
      throw new Error("a listener failed");
    });
    const router = buildRouter();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const hit = router.match(req.method ?? "GET", url.pathname);
      if (hit && "def" in hit) void runRoute(rt, hit.def, req, res, hit.params, url);
      else res.writeHead(404).end();
    });
    try {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      // require_approval notifies the listeners ("approval.created") after the commit.
      const r = await api(`http://127.0.0.1:${port}`, key, "POST", "/api/v1/decisions", {
        session: { id: `listener-${randomUUID()}` },
        tool: { server: "files", name: "delete_file" },
        arguments: { path: "x.txt" },
      });
      expect(r.status).toBe(200);
      expect(r.body.decision).toBe("require_approval");
      const row = await getPool().query("SELECT outcome FROM audit_entries WHERE decision_id = $1 AND kind = 'decision'", [r.body.decision_id]);
      expect(row.rows).toEqual([{ outcome: "require_approval" }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await rt.stop();
    }
  });
});
