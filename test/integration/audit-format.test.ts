/**
 * The audit entry format (lib/audit/entries, docs/audit-format.md) against what a real node writes:
 * one node (with its console, for sign-in) is driven through every kind of entry — decisions (allow,
 * deny, require_approval, a foreign attempt, under a delegation, with a shadow policy, through
 * AuthZEN's MCP profile), outcome events, approvals decided and expired, AuthZEN evaluations and
 * searches, delegations, every admin action, console sign-in, single sign-on, and a restart of its
 * embedded PostgreSQL — then every entry in the log must match its kind and action's schema, every
 * defined action must have been seen, and `mandate audit verify` must pass over a log that also holds
 * entries in the format from before `data.v` (version 0).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditChain } from "../../lib/audit/chain.ts";
import { ensureAuditPartitions } from "../../lib/audit/partitions.ts";
import { checkEntry, knownActions, type StoredEntry } from "../../lib/audit/entries/index.ts";
import { ssoSignIn } from "../../lib/auth/sso.ts";
import { upsertStore } from "../../lib/authzen/store-admin.ts";
import { getPool } from "../../lib/db/pool.ts";
import { deleteEntity, putEntity } from "../../lib/directory/entities.ts";
import { revokeDelegation } from "../../lib/delegation/revoke.ts";
import { createApiToken, createUser, revokeApiToken, setUserDisabled, setUserRole } from "../../lib/identity/users.ts";
import { publishPolicy, rollbackPolicy, saveDraft } from "../../lib/policy/publish.ts";
import { setReplayRetentionDays } from "../../lib/policy/replay-values.ts";
import { endShadow } from "../../lib/policy/shadow.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { signInAttempt, signOut } from "../support/console-http.ts";
import { startIssuer } from "../support/jwt-issuer.ts";
import { api, closeTestDb, DEFAULT_POLICY, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const ACTOR = "test:audit-format";

let m: MandateHandle;
let support: string, ops: string;

const cli = async (...args: string[]) =>
  (
    await promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
    })
  ).stdout;
const decide = (key: string, session: string, tool: string, args: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
  const [server, name] = tool.split("/");
  return api(m.url, key, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server, name }, arguments: args, ...extra });
};
const admin = (method: string, path: string, body?: unknown) => api(m.url, m.adminToken, method, path, body ?? {});
async function az(path: string, body: unknown, key: string) {
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
  return r.json();
}
async function waitFor(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  globalSetup();
  // Two failures from one address throttle the third: a throttled sign-in is one of the entries.
  m = await startMandate({ console: true, env: { NEXTAUTH_SECRET: randomUUID(), MANDATE_LOGIN_MAX_SOURCE_FAILURES: "2" } });
  [support, ops] = m.credentials!.agents.map((a) => a.api_key);
}, 240_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

/** Entries in the format written before `data.v` (as main wrote them until 2026-12-06), on a chain of their own. */
async function writeVersion0Entries(): Promise<void> {
  const chain = new AuditChain(`cli:audit-format:${process.pid}`);
  const at = new Date().toISOString();
  const agent = (await getPool().query("SELECT id FROM agents ORDER BY created_at LIMIT 1")).rows[0].id as string;
  const decisionId = randomUUID();
  await chain.submit({
    entries: [
      {
        kind: "decision",
        action: "decision.allow",
        actor: "agent:support-assistant",
        session_id: "v0-session",
        step: 1,
        agent_id: agent,
        tool: "crm/get_customer",
        outcome: "allow",
        decision_id: decisionId,
        created_at: at,
        data: {
          agent: { id: agent, key_id: "mnd_ak_v0", name: "support-assistant" },
          approval: null,
          arguments: { customer_id: "c-1" },
          arguments_hash: "b".repeat(64),
          delegation: null,
          errors: [],
          latency_us: 300,
          policy_version: "mcp@v1",
          reasons: [{ policy: "allow-approved-low-medium", message: "ok" }],
          redactions: [],
          request_id: null,
          session: { id: "v0-session", initiator: null, initiator_verified: false, labels_before: [], step: 1 },
          shadow: null,
          tool: { effect: "read", labels: ["pii"], name: "get_customer", risk: "low", server: "crm", status: "approved" },
        },
      },
      // Before secrets in error texts were redacted: no `redactions`.
      {
        kind: "outcome",
        action: "outcome.error",
        actor: "agent:support-assistant",
        session_id: "v0-session",
        step: 1,
        agent_id: agent,
        tool: "crm/get_customer",
        outcome: "error",
        decision_id: decisionId,
        created_at: at,
        data: { event_id: "v0-event-0001", status: "error", duration_ms: 12, result_size: null, error: "timeout" },
      },
      // Before user.role recorded the previous role.
      { kind: "admin", action: "user.role", actor: "cli:root", created_at: at, data: { user_id: randomUUID(), email: "v0@example.com", role: "analyst" } },
    ],
  });
  await chain.close();
}

describe("every entry a real node writes matches its schema", () => {
  it("drives every kind and action, then checks the whole log and verifies it", async () => {
    await writeVersion0Entries();

    // Decisions: allow, deny, require_approval (approved, denied, expired), a foreign attempt.
    const s = `af-${randomUUID()}`;
    expect((await decide(support, s, "crm/get_customer", { customer_id: "c-1", note: "token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB" })).body.decision).toBe(
      "allow",
    );
    expect((await decide(support, s, "nowhere/nothing")).body.decision).toBe("deny");
    expect((await decide(ops, s, "crm/get_customer", { customer_id: "c-1" })).body.decision).toBe("deny"); // foreign attempt
    const gated = await Promise.all(["approve", "deny", "expire"].map((x) => decide(support, `${s}-${x}`, "files/delete_file", { path: `${x}.txt` })));
    for (const g of gated) expect(g.body.decision).toBe("require_approval");
    const [toApprove, toDeny, toExpire] = gated.map((g) => g.body.approval.id as string);
    expect((await admin("POST", `/api/v1/approvals/${toApprove}/decision`, { decision: "approve", comment: "fine" })).status).toBe(200);
    expect((await admin("POST", `/api/v1/approvals/${toDeny}/decision`, { decision: "deny" })).status).toBe(200);
    await getPool().query("UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1", [toExpire]);
    expect((await api(m.url, support, "GET", `/api/v1/approvals/${toExpire}`)).body.status).toBe("expired");
    const used = await decide(support, `${s}-approve`, "files/delete_file", { path: "approve.txt" });
    expect(used.body.reasons[0].policy).toBe("mandate.approval");

    // Outcome events (one error text with a secret in it).
    const allowed = (await decide(support, s, "crm/get_customer", { customer_id: "c-2" })).body.decision_id;
    const events = [
      { event_id: `ev-${randomUUID()}`, decision_id: allowed, status: "success", duration_ms: 12.5, result_size: 200 },
      { event_id: `ev-${randomUUID()}`, decision_id: allowed, status: "error", error: "upstream said token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB" },
    ];
    expect((await api(m.url, support, "POST", "/api/v1/events", { events })).body.accepted).toBe(2);
    // Labels observed in that call's result (outcome.labels_observed).
    const observation = {
      session: { id: s },
      decision_id: allowed,
      labels: ["secrets"],
      provenance: [{ label: "secrets", source: "detector", detector: "secrets", count: 1 }],
    };
    expect((await api(m.url, support, "POST", "/api/v1/observations", observation)).body.added).toEqual(["secrets"]);

    // Delegation: issue, decide under it, revoke.
    const t = await fetch(`${m.url}/api/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: EXCHANGE,
        subject_token: m.adminToken,
        subject_token_type: AT,
        actor_token: support,
        actor_token_type: AT,
        scope: "tool:crm/*",
      }).toString(),
    }).then((r) => r.json() as Promise<{ access_token: string; session_id: string }>);
    const delegated = await decide(support, t.session_id, "crm/get_customer", { customer_id: "c-3" }, { delegation_token: t.access_token });
    expect(delegated.body.decision).toBe("allow");
    const jti = JSON.parse(Buffer.from(t.access_token.split(".")[1], "base64url").toString()).jti as string;
    await revokeDelegation(noNode(), jti, ACTOR, "done");

    // Shadow policy: published, a decision compared with it, ended; a draft, a publish and a rollback.
    await publishPolicy(noNode(), "mcp", DEFAULT_POLICY, ACTOR, { mode: "shadow" });
    await m.settle();
    const shadowed = await decide(support, `${s}-shadow`, "crm/get_customer", { customer_id: "c-4" });
    const row = await getPool().query("SELECT data FROM audit_entries WHERE decision_id = $1", [shadowed.body.decision_id]);
    expect(row.rows[0].data.shadow).toMatchObject({ decision: "allow" });
    await endShadow(noNode(), "mcp", ACTOR);
    await saveDraft(noNode(), "mcp", DEFAULT_POLICY, ACTOR);
    await publishPolicy(noNode(), "mcp", DEFAULT_POLICY, ACTOR);
    await rollbackPolicy(noNode(), "mcp", 1, ACTOR, "audit-format: back to the default");

    // Inventory reported by an agent, new then changed; tool classification and blocks.
    const def = (name: string, description: string) => ({ name, description, inputSchema: { type: "object", properties: {} } });
    const report = (d: string) =>
      api(m.url, support, "POST", "/api/v1/inventory", {
        server: "afmt",
        tools: [def("lookup", `Look up a record${d}`), def("purge", `Delete every record${d}`)],
      });
    expect((await report("")).status).toBe(200);
    expect((await admin("POST", "/api/v1/tools/afmt/lookup/approve", { effect: "read", risk: "low", note: "fine" })).status).toBe(200);
    expect((await report(" (v2)")).status).toBe(200);
    expect((await admin("POST", "/api/v1/tools/afmt/purge/reject", { note: "no" })).status).toBe(200);
    expect((await admin("POST", "/api/v1/tools/afmt/lookup/approve", {})).status).toBe(200);
    expect((await admin("POST", "/api/v1/tools/afmt/lookup/block", { reason: "audit" })).status).toBe(200);
    expect((await admin("POST", "/api/v1/tools/afmt/lookup/unblock", { reason: "done" })).status).toBe(200);
    expect((await admin("PUT", "/api/v1/tools/afmt/lookup/detectors", { detectors_off: ["pii"], note: "test data" })).status).toBe(200);
    expect((await admin("PUT", "/api/v1/servers/afmt/detectors", { detectors_off: ["secrets"] })).status).toBe(200);
    // Audit sinks (docs/siem.md): added, a dead letter sent again, removed (the receiver need not exist:
    // the retry is refused, and audited as such). The dead letter is the sink's own sink.create entry.
    const sink = await admin("POST", "/api/v1/sinks", { name: "afmt-sink", kind: "syslog", endpoint: "tcp://127.0.0.1:9", format: "cef" });
    expect(sink.status).toBe(201);
    const created = (await getPool().query(`SELECT chain_id, seq FROM audit_entries WHERE action = 'sink.create' AND data->>'sink_id' = $1`, [sink.body.id]))
      .rows[0] as { chain_id: string; seq: string };
    await getPool().query(
      `INSERT INTO audit_sink_dead_letters (sink_id, chain_id, seq, event_id, error, attempts, first_attempt_at, last_attempt_at)
       VALUES ($1, $2, $3, 'afmt', 'HTTP 400', 5, now(), now())`,
      [sink.body.id, created.chain_id, created.seq],
    );
    const retried = await admin("POST", "/api/v1/sinks/afmt-sink/dead-letters/retry", { chain_id: created.chain_id, seq: Number(created.seq) });
    expect(retried.status).toBe(200);
    expect(retried.body.delivered).toBe(false);
    expect((await admin("DELETE", "/api/v1/sinks/afmt-sink")).status).toBe(204);

    // Identities.
    const agent = await admin("POST", "/api/v1/agents", { name: `af-${randomUUID().slice(0, 8)}`, team: "audit" });
    expect(agent.status).toBe(201);
    expect((await admin("POST", `/api/v1/agents/${agent.body.name}/suspend`, { reason: "audit" })).status).toBe(200);
    expect((await admin("POST", `/api/v1/agents/${agent.body.name}/unsuspend`, { reason: "done" })).status).toBe(200);
    const key = await admin("POST", `/api/v1/agents/${agent.body.name}/keys`, {});
    const rotated = await admin("POST", `/api/v1/keys/${key.body.keyId}/rotate`, { overlap_seconds: 60 });
    expect(rotated.status).toBe(201);
    expect((await admin("POST", `/api/v1/keys/${key.body.keyId}/revoke`)).status).toBe(200);
    const leak = [{ token: rotated.body.apiKey, type: "mandate_agent_key", url: "https://example.org/paste/1", source: "content" }];
    expect((await admin("POST", "/api/v1/keys/report-leak", leak)).status).toBe(200);
    expect((await admin("POST", `/api/v1/agents/${agent.body.name}/owner`, { owner: null })).status).toBe(200);
    // Workload identity federation: trust rules, federated-only, an exchange, a renewal, a DPoP refusal and a refusal.
    const issuer = await startIssuer();
    try {
      const sub = "system:serviceaccount:audit:bot";
      const rule = await admin("POST", `/api/v1/agents/${agent.body.name}/trust`, { issuer: issuer.url, subject: sub, claims: { team: "audit" } });
      expect(rule.status).toBe(201);
      expect((await admin("POST", `/api/v1/agents/${agent.body.name}/federated-only`, { federated_only: true })).status).toBe(200);
      const fed = (assertion: string) =>
        fetch(`${m.url}/api/v1/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { access_token: string } }));
      const got = await fed(await issuer.sign({ team: "audit" }, { sub, aud: m.url }));
      expect(got.status).toBe(200);
      const renewed = await fetch(`${m.url}/api/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: EXCHANGE, subject_token: got.body.access_token, subject_token_type: AT }).toString(),
      });
      expect(renewed.status).toBe(200);
      // DPoP: a bearer access token presented with the DPoP scheme (dpop.refuse).
      const renewedToken = ((await renewed.json()) as { access_token: string }).access_token;
      const asDpop = await fetch(`${m.url}/api/v1/agents/me`, { headers: { authorization: `DPoP ${renewedToken}` } });
      expect(asDpop.status).toBe(401);
      expect((await fed(await issuer.sign({ team: "other" }, { sub, aud: m.url }))).status).toBe(401);
      expect((await api(m.url, m.adminToken, "DELETE", `/api/v1/agents/${agent.body.name}/trust/${rule.body.id}`)).status).toBe(200);
    } finally {
      await issuer.close();
    }
    const password = `pw-${randomUUID()}`;
    const u = await createUser(noNode(), { email: `af-${randomUUID().slice(0, 8)}@example.com`, role: "viewer", password }, ACTOR);
    await setUserRole(noNode(), u.id, "analyst", ACTOR);
    await setUserDisabled(noNode(), u.id, true, ACTOR);
    await setUserDisabled(noNode(), u.id, false, ACTOR);
    const token = await createApiToken(noNode(), u.id, "audit", ACTOR);
    await revokeApiToken(noNode(), token.keyId, ACTOR);
    expect((await admin("POST", `/api/v1/sessions/${s}/terminate`, { reason: "audit" })).status).toBe(200);
    expect((await admin("POST", "/api/v1/signing-keys/rotate")).status).toBe(201);
    await setReplayRetentionDays(noNode(), 7, ACTOR);

    // Console sign-in (password): failures, a throttled attempt, a sign-in and its sign-out.
    const from = "127.0.0.31";
    for (let i = 0; i < 2; i++) expect((await signInAttempt(m.url, u.email, "wrong", { localAddress: from })).outcome).toBe("refused");
    expect((await signInAttempt(m.url, u.email, password, { localAddress: from })).outcome).toBe("throttled");
    const ok = await signInAttempt(m.url, u.email, password, { localAddress: "127.0.0.32" });
    expect(ok.outcome).toBe("signed_in");
    expect((await signOut(m.url, ok.cookie!)).status).toBeLessThan(400);
    // Single sign-on (the provider's answer as next-auth hands it over): a new account, a role change, a refusal.
    const sso = {
      issuer: "https://idp.example",
      subject: `sub-${randomUUID()}`,
      email: `sso-${randomUUID().slice(0, 8)}@example.com`,
      emailVerified: true,
      name: null,
      source: "127.0.0.33",
    };
    expect((await ssoSignIn(noNode(), { ...sso, role: "viewer" })).ok).toBe(true);
    expect((await ssoSignIn(noNode(), { ...sso, role: "analyst" })).ok).toBe(true);
    expect((await ssoSignIn(noNode(), { ...sso, role: null })).ok).toBe(false);

    // AuthZEN: a pack (stores, directories, policies), PEP keys, evaluations (batch with a malformed
    // item), searches, and the MCP profile (tools/call, tools/list, an unsupported action).
    await cli("pack", "load", "examples/authzen-pack");
    const todo = (await cli("pep-keys", "create", "--store", "todo")).trim().split("\n").pop()!;
    const mcp = (await cli("pep-keys", "create", "--store", "mcp")).trim().split("\n").pop()!;
    await m.settle();
    const rick = { type: "user", id: "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" };
    await az("/access/v1/evaluation", { subject: rick, action: { name: "can_read_todos" }, resource: { type: "todo", id: "1" } }, todo);
    await az(
      "/access/v1/evaluations",
      { subject: rick, resource: { type: "todo", id: "1" }, evaluations: [{ action: { name: "can_read_todos" } }, { action: { name: 42 } }] },
      todo,
    );
    await az("/access/v1/search/subject", { subject: { type: "user" }, action: { name: "can_read_todos" }, resource: { type: "todo", id: "1" } }, todo);
    await az("/access/v1/search/resource", { subject: rick, action: { name: "can_read_todos" }, resource: { type: "todo" } }, todo);
    await az("/access/v1/search/action", { subject: rick, resource: { type: "todo", id: "1" } }, todo);
    const mcpCall = (action: string) => ({
      subject: { type: "user", id: "alice@example.com" },
      action: { name: action },
      resource: { type: "tool", id: "crm/get_customer", properties: { arguments: { customer_id: "c-1" } } },
      context: { agent: { id: "support-assistant" }, session: { id: `${s}-az` } },
    });
    for (const a of ["tools/call", "tools/list", "can_read"]) await az("/access/v1/evaluation", mcpCall(a), mcp);
    const todoSchema = (await getPool().query("SELECT schema FROM policy_stores WHERE id = 'todo'")).rows[0].schema as Record<string, unknown>;
    await upsertStore(noNode(), "todo", { name: "Todo (renamed)", schema: todoSchema }, ACTOR);
    await putEntity(noNode(), "todo", { type: "user", id: "audit-format", attrs: {}, parents: [] }, ACTOR);
    await deleteEntity(noNode(), "todo", "user", "audit-format", ACTOR);
    const pepKey = (await api(m.url, m.adminToken, "GET", "/api/v1/stores/todo/pep-keys")).body.keys[0].key_id as string;
    expect((await admin("POST", `/api/v1/pep-keys/${pepKey}/rotate`, { overlap_seconds: 60 })).status).toBe(201);
    expect((await admin("POST", `/api/v1/pep-keys/${pepKey}/revoke`)).status).toBe(200);

    // The node restarts its embedded PostgreSQL when it dies, and audits it.
    const pidFile = join(m.dataDir, "pg", "postmaster.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await waitFor("database.restarted", async () => {
      try {
        return ((await getPool().query("SELECT 1 FROM audit_entries WHERE action = 'database.restarted'")).rowCount ?? 0) > 0;
      } catch {
        return false; // PostgreSQL is down meanwhile
      }
    });

    // A month of the log archived (a chain of its own in January 2024): the archive's entry.
    await ensureAuditPartitions(new Date(Date.UTC(2024, 0, 1)), 0);
    const old = new AuditChain(`cli:audit-format-archive:${process.pid}`);
    await old.submit({
      entries: [1, 2, 3].map((i) => ({
        kind: "admin",
        action: "test.archived",
        actor: ACTOR,
        created_at: new Date(Date.UTC(2024, 0, i)).toISOString(),
        data: { i },
      })),
    });
    await old.close();
    expect(await cli("audit", "archive", "--before", "2024-02-01")).toContain("Archived audit_entries_p202401: 3 entries");

    // Every entry matches its schema, and every defined action was seen.
    const r = await getPool().query<StoredEntry & { chain_id: string; seq: string }>(
      "SELECT chain_id, seq, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id::text, data FROM audit_entries ORDER BY created_at, chain_id, seq",
    );
    const bad = r.rows.map((e) => ({ at: `${e.chain_id}:${e.seq}`, check: checkEntry(e) })).filter((x) => !x.check.ok);
    expect(bad).toEqual([]);
    const seen = new Set(r.rows.map((e) => `${e.kind} ${e.action}`));
    expect(knownActions().filter((a) => !seen.has(`${a.kind} ${a.action}`))).toEqual([]);
    const versions = new Set(r.rows.map((e) => (e.data as { v?: number }).v ?? 0));
    expect([...versions].sort()).toEqual([0, 1]);

    // The log, entries of version 0 included, verifies.
    expect(await cli("audit", "verify")).toContain("audit log intact");
  }, 240_000);
});
