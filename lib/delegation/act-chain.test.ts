/**
 * Chain verification: nested act claims, token signature/typ/expiry with an in-memory key source, and
 * the actor and stored-delegation checks of the verifier.
 */
import * as jose from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { buildAct, readActChain } from "./act-chain.ts";
import { signDelegationToken, verifyDelegationJwt, type DelegationClaims, type KeySource } from "./delegation-token.ts";
import { JwtReceiptSigner } from "./receipts.ts";
import { viewFor } from "./verifier.ts";

const A = { agent_id: "a-1", name: "support-assistant" };
const B = { agent_id: "b-2", name: "research-subagent" };
const C = { agent_id: "c-3", name: "ops-agent" };

describe("act claims (RFC 8693 §4.1)", () => {
  it("nests prior actors inside the current one and reads them back in order", () => {
    const act = buildAct([A, B, C]);
    expect(act).toEqual({ sub: "c-3", name: "ops-agent", act: { sub: "b-2", name: "research-subagent", act: { sub: "a-1", name: "support-assistant" } } });
    expect(readActChain(act)).toEqual({ ok: true, chain: [A, B, C] });
  });
  it("rejects malformed chains", () => {
    expect(readActChain(undefined).ok).toBe(false);
    expect(readActChain({ name: "x" }).ok).toBe(false);
    expect(readActChain({ sub: "x", name: "y", act: "z" }).ok).toBe(false);
    expect(readActChain([{ sub: "x", name: "y" }]).ok).toBe(false);
    let deep: Record<string, unknown> = { sub: "0", name: "n0" };
    for (let i = 1; i < 12; i++) deep = { sub: String(i), name: `n${i}`, act: deep };
    expect(readActChain(deep)).toMatchObject({ ok: false, message: expect.stringContaining("deeper") });
  });
});

class MemoryKeys implements KeySource {
  issuer = "urn:mandate:test";
  private pair!: { kid: string; privateKey: jose.CryptoKey; publicKey: jose.CryptoKey };
  async init(kid = "k1") {
    const { privateKey, publicKey } = await jose.generateKeyPair("EdDSA");
    this.pair = { kid, privateKey, publicKey };
    return this;
  }
  async ready() {}
  async current() {
    return { kid: this.pair.kid, alg: "EdDSA", key: this.pair.privateKey };
  }
  async verificationKey(kid: string | undefined) {
    return kid === this.pair.kid ? { kid, alg: "EdDSA", key: this.pair.publicKey } : null;
  }
}

describe("delegation tokens", () => {
  let keys: MemoryKeys;
  const now = Math.floor(Date.now() / 1000);
  const claims: DelegationClaims = {
    jti: "j-1",
    subject: "alice@example.com",
    sessionId: "s-1",
    scopes: ["tool:crm/*"],
    chain: [A, B],
    audience: null,
    issuedAt: now,
    expiresAt: now + 60,
  };
  beforeAll(async () => {
    keys = await new MemoryKeys().init();
  });

  it("round-trips the claims", async () => {
    const t = await signDelegationToken(keys, claims);
    expect(await verifyDelegationJwt(keys, t)).toEqual({ ok: true, claims });
  });
  it("round-trips a call budget (claim max_calls) and refuses a malformed one", async () => {
    const budgeted = { ...claims, maxCalls: 7 };
    const t = await signDelegationToken(keys, budgeted);
    expect(jose.decodeJwt(t).max_calls).toBe(7);
    expect(await verifyDelegationJwt(keys, t)).toEqual({ ok: true, claims: budgeted });
    for (const bad of [0, -1, 1.5, "3"]) {
      const k = await keys.current();
      const forged = await new jose.SignJWT({ sid: "s-1", scope: "tool:crm/*", act: buildAct([A]), max_calls: bad })
        .setProtectedHeader({ alg: "EdDSA", kid: k.kid, typ: "mandate-delegation+jwt" })
        .setIssuer(keys.issuer)
        .setSubject("alice@example.com")
        .setJti("j-2")
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(k.key);
      expect(await verifyDelegationJwt(keys, forged)).toMatchObject({ ok: false, message: "delegation token has a malformed max_calls" });
    }
  });
  it("refuses expired, tampered, foreign-key and receipt tokens", async () => {
    const t = await signDelegationToken(keys, claims);
    expect(await verifyDelegationJwt(keys, t, new Date((now + 120) * 1000))).toMatchObject({ ok: false, code: "expired" });
    const [h, , s] = t.split(".");
    const widened = Buffer.from(JSON.stringify({ ...jose.decodeJwt(t), scope: "tool:*/*" })).toString("base64url");
    expect(await verifyDelegationJwt(keys, `${h}.${widened}.${s}`)).toMatchObject({ ok: false, message: "delegation token signature is invalid" });
    const other = await new MemoryKeys().init("k2");
    expect(await verifyDelegationJwt(keys, await signDelegationToken(other, claims))).toMatchObject({
      ok: false,
      message: "delegation token signed with an unknown key",
    });
    const receipt = await new JwtReceiptSigner(keys).sign({ decision_id: "d", tool: "crm/x" });
    expect(await verifyDelegationJwt(keys, receipt)).toMatchObject({ ok: false, code: "invalid" });
    const otherIssuer = Object.assign(await new MemoryKeys().init(), { issuer: "urn:other" });
    expect((await verifyDelegationJwt(keys, await signDelegationToken(otherIssuer, claims))).ok).toBe(false);
  });
});

describe("the verifier's identity checks", () => {
  const agent = (agentId: string, name: string) =>
    ({ kind: "agent", agentId, name, team: null, owner: null, environment: null, suspended: null, keyId: "k" }) as AgentPrincipal;
  const claims: DelegationClaims = {
    jti: "j",
    subject: "alice@example.com",
    sessionId: "s-1",
    scopes: ["tool:crm/*"],
    chain: [A, B],
    audience: null,
    issuedAt: 0,
    expiresAt: 1,
  };

  it("accepts the current actor and describes the chain", () => {
    expect(viewFor(claims, agent("b-2", "research-subagent"), { agentId: "b-2", sessionId: "s-1" })).toEqual({
      ok: true,
      view: { present: true, depth: 2, chain: [A, B], onBehalfOf: "alice@example.com", scopes: ["tool:crm/*"], tokenId: "j", sessionId: "s-1" },
    });
  });
  it("denies an earlier actor or another agent claiming the token", () => {
    const r = viewFor(claims, agent("a-1", "support-assistant"), { agentId: "b-2", sessionId: "s-1" });
    expect(r).toMatchObject({
      ok: false,
      message: expect.stringContaining("issued to agent research-subagent, but the request was authenticated as agent support-assistant"),
    });
  });
  it("denies a token that does not match the stored delegation", () => {
    expect(viewFor(claims, agent("b-2", "x"), { agentId: "c-3", sessionId: "s-1" }).ok).toBe(false);
    expect(viewFor(claims, agent("b-2", "x"), { agentId: "b-2", sessionId: "s-2" }).ok).toBe(false);
  });
});
