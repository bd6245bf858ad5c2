/**
 * Receipts (rt.receipts): a short-lived JWT, signed with Mandate's keys, returned with every allowed
 * decision. It binds the decision id, session and step, the principal chain, the tool and the SHA-256 of
 * the canonical arguments, so the tool can verify offline that this exact call was authorized
 * (lib/receipts/verify-receipt.ts, docs/receipts.md).
 */
import * as jose from "jose";
import type { ReceiptSigner } from "../runtime/runtime.ts";
import type { KeySource } from "./delegation-token.ts";
import { RECEIPT_TYP } from "./token-types.ts";

export const RECEIPT_TTL_S = 60;

export class JwtReceiptSigner implements ReceiptSigner {
  constructor(
    private readonly keys: KeySource,
    private readonly ttlSeconds = RECEIPT_TTL_S,
  ) {
    if (ttlSeconds < 1 || ttlSeconds > RECEIPT_TTL_S) throw new Error(`receipt lifetime must be 1-${RECEIPT_TTL_S} s`);
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const k = await this.keys.current();
    const now = Math.floor(Date.now() / 1000);
    // Without a delegation the principal chain is the calling agent alone.
    const chain = Array.isArray(claims.chain) && claims.chain.length ? claims.chain : [claims.agent];
    const jwt = new jose.SignJWT({ ...claims, chain })
      .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: RECEIPT_TYP })
      .setIssuer(this.keys.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds);
    if (typeof claims.decision_id === "string") jwt.setJti(claims.decision_id);
    return jwt.sign(k.key);
  }
}
