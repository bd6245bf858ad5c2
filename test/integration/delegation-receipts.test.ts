/**
 * Receipts: an allowed decision carries a short-lived signed JWT binding the call; a tool verifies it
 * with the JWKS and the verification helper (lib/receipts/verify-receipt.ts).
 */
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argumentsHash } from "../../lib/decisions/decide.ts";
import { verifyReceipt } from "../../lib/receipts/verify-receipt.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

const AT = "urn:ietf:params:oauth:token-type:access_token";

let m: MandateHandle;
let key: string;
let jwksUrl: string;
const decide = (session: string, server: string, name: string, args: Record<string, unknown>, k = key, extra: Record<string, unknown> = {}) =>
  api(m.url, k, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server, name }, arguments: args, ...extra });

beforeAll(async () => {
  m = await startMandate();
  key = m.credentials!.agents[0].api_key;
  jwksUrl = `${m.url}/.well-known/jwks.json`;
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("receipts", () => {
  const args = { customer_id: "c-42", fields: ["name", "email"], options: { verbose: true, limit: 2 } };

  it("an allow carries a receipt that verifies for exactly this tool and these arguments", async () => {
    const s = `r-${randomUUID()}`;
    const r = await decide(s, "crm", "get_customer", args);
    expect(r.body.decision).toBe("allow");
    expect(typeof r.body.receipt).toBe("string");
    const reordered = { options: { limit: 2, verbose: true }, fields: ["name", "email"], customer_id: "c-42" };
    const ok = await verifyReceipt(r.body.receipt, { keys: jwksUrl, tool: "crm/get_customer", arguments: reordered, sessionId: s });
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.claims).toMatchObject({
      decision_id: r.body.decision_id,
      jti: r.body.decision_id,
      sid: s,
      step: 1,
      agent: "support-assistant",
      chain: ["support-assistant"],
      tool: "crm/get_customer",
      args_sha256: argumentsHash(args),
    });
    expect(ok.claims.exp - ok.claims.iat).toBeLessThanOrEqual(60);
    const meta = await (await fetch(`${m.url}/.well-known/oauth-authorization-server`)).json();
    expect((await verifyReceipt(r.body.receipt, { keys: jwksUrl, tool: "crm/get_customer", arguments: args, issuer: meta.issuer })).ok).toBe(true);
    expect(await verifyReceipt(r.body.receipt, { keys: jwksUrl, tool: "crm/get_customer", arguments: args, issuer: "https://evil.example" })).toMatchObject({
      ok: false,
      reason: "wrong_issuer",
    });
  });

  it("refuses tampered arguments, another tool, an expired receipt and a forged one", async () => {
    const r = await decide(`r-${randomUUID()}`, "crm", "get_customer", args);
    const receipt = r.body.receipt as string;
    const check = (o: Partial<Parameters<typeof verifyReceipt>[1]>, token = receipt) =>
      verifyReceipt(token, { keys: jwksUrl, tool: "crm/get_customer", arguments: args, ...o });
    expect(await check({ arguments: { ...args, customer_id: "c-43" } })).toMatchObject({ ok: false, reason: "arguments_mismatch" });
    expect(await check({ arguments: { ...args, extra: null } })).toMatchObject({ ok: false, reason: "arguments_mismatch" });
    expect(await check({ tool: { server: "crm", name: "delete_customer" } })).toMatchObject({ ok: false, reason: "wrong_tool" });
    expect(await check({ now: new Date(Date.now() + 66_000) })).toMatchObject({ ok: false, reason: "expired" });
    expect(await check({ sessionId: "another" })).toMatchObject({ ok: false, reason: "wrong_session" });

    const [h, p, s] = receipt.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, args_sha256: argumentsHash({ customer_id: "c-1" }) })).toString("base64url");
    expect(await check({ arguments: { customer_id: "c-1" } }, `${h}.${forgedPayload}.${s}`)).toMatchObject({ ok: false, reason: "bad_signature" });
    const { privateKey } = await jose.generateKeyPair("EdDSA");
    const selfSigned = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid: jose.decodeProtectedHeader(receipt).kid, typ: "mandate-receipt+jwt" })
      .sign(privateKey);
    expect(await check({}, selfSigned)).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("binds the delegation chain and the human, and a delegation token is not a receipt", async () => {
    const [support, , research] = m.credentials!.agents.map((a) => a.api_key);
    const form = (f: Record<string, string>) =>
      fetch(`${m.url}/api/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", actor_token_type: AT, ...f }).toString(),
      }).then((r) => r.json());
    const t1 = await form({ subject_token: m.adminToken, subject_token_type: AT, actor_token: support, scope: "tool:web/*" });
    const t2 = await form({ subject_token: t1.access_token, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", actor_token: research });
    const a = { url: "https://example.com/page" };
    const r = await decide(t1.session_id, "web", "fetch_url", a, research, { delegation_token: t2.access_token });
    expect(r.body.decision).toBe("allow");
    const ok = await verifyReceipt(r.body.receipt, { keys: jwksUrl, tool: "web/fetch_url", arguments: a });
    expect(ok).toMatchObject({
      ok: true,
      claims: { chain: ["support-assistant", "research-subagent"], sub: "admin@mandate.local", agent: "research-subagent" },
    });
    expect(await verifyReceipt(t2.access_token, { keys: jwksUrl, tool: "web/fetch_url", arguments: a })).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("only an allow carries a receipt", async () => {
    const s = `r-${randomUUID()}`;
    const gated = await decide(s, "files", "delete_file", { path: "x" });
    expect(gated.body.decision).toBe("require_approval");
    expect(gated.body.receipt).toBeUndefined();
    const denied = await decide(s, "crm", "export_customers", {});
    expect(denied.body.decision).toBe("deny");
    expect(denied.body.receipt).toBeUndefined();
  });
});
