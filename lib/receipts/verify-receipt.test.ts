/**
 * Argument hashing (the helper and the decision path must hash the same bytes) and receipt checks
 * against an in-memory JWKS.
 */
import * as jose from "jose";
import { describe, expect, it } from "vitest";
import { argumentsHash } from "../decisions/decide.ts";
import { JwtReceiptSigner } from "../delegation/receipts.ts";
import { RECEIPT_TYP as SIGNER_TYP } from "../delegation/token-types.ts";
import { argumentsSha256, RECEIPT_TYP, verifyReceipt } from "./verify-receipt.ts";

describe("argument hashing", () => {
  it("is the SHA-256 of canonical JSON, identical to the decision path", () => {
    const args = { b: [3, { y: 1, x: 2 }], a: "é", n: 1.5, z: null };
    expect(argumentsSha256(args)).toBe(argumentsHash(args));
    expect(argumentsSha256(args)).toMatch(/^[0-9a-f]{64}$/);
    expect(argumentsSha256({})).toBe("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  });
  it("ignores key order and undefined members, but not array order or values", () => {
    expect(argumentsSha256({ a: 1, b: { c: 2, d: 3 } })).toBe(argumentsSha256({ b: { d: 3, c: 2 }, a: 1 }));
    expect(argumentsSha256({ a: 1, u: undefined })).toBe(argumentsSha256({ a: 1 }));
    expect(argumentsSha256({ a: [1, 2] })).not.toBe(argumentsSha256({ a: [2, 1] }));
    expect(argumentsSha256({ a: "1" })).not.toBe(argumentsSha256({ a: 1 }));
    expect(argumentsSha256(undefined)).toBe(argumentsSha256({}));
  });
});

describe("verifyReceipt", async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("EdDSA");
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "EdDSA" }] };
  const keys = {
    issuer: "urn:mandate:test",
    ready: async () => {},
    current: async () => ({ kid: "k1", alg: "EdDSA", key: privateKey }),
    verificationKey: async () => null,
  };
  const args = { path: "/tmp/x", force: true };
  const claims = { decision_id: "d-1", sid: "s-1", step: 4, agent: "ops-agent", chain: [], tool: "files/delete_file", args_sha256: argumentsSha256(args) };

  it("uses the signer's typ", () => expect(RECEIPT_TYP).toBe(SIGNER_TYP));

  it("accepts the exact call and reports the claims", async () => {
    const r = await new JwtReceiptSigner(keys).sign(claims);
    const ok = await verifyReceipt(r, {
      keys: jwks,
      tool: { server: "files", name: "delete_file" },
      arguments: { force: true, path: "/tmp/x" },
      issuer: "urn:mandate:test",
    });
    expect(ok).toMatchObject({ ok: true, claims: { ...claims, chain: ["ops-agent"], jti: "d-1" } });
  });
  it("refuses other arguments, tools, expired or too long-lived receipts", async () => {
    const r = await new JwtReceiptSigner(keys).sign(claims);
    const base = { keys: jwks, tool: "files/delete_file", arguments: args };
    expect(await verifyReceipt(r, { ...base, arguments: { ...args, force: false } })).toMatchObject({ reason: "arguments_mismatch" });
    expect(await verifyReceipt(r, { ...base, tool: "files/read_file" })).toMatchObject({ reason: "wrong_tool" });
    expect(await verifyReceipt(r, { ...base, now: new Date(Date.now() + 70_000) })).toMatchObject({ reason: "expired" });
    const long = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: RECEIPT_TYP })
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(privateKey);
    expect(await verifyReceipt(long, base)).toMatchObject({ reason: "too_long_lived" });
    const untyped = await new jose.SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: "k1" }).setIssuedAt().setExpirationTime("30s").sign(privateKey);
    expect(await verifyReceipt(untyped, base)).toMatchObject({ reason: "malformed" });
    expect(await verifyReceipt("garbage", base)).toMatchObject({ reason: "malformed" });
  });
  it("the signer refuses a lifetime over 60 s", () => {
    expect(() => new JwtReceiptSigner(keys, 61)).toThrow();
  });
});
