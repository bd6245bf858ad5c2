/**
 * Receipts (rt.receipts): a short-lived JWT, signed with Mandate's keys, returned with every allowed
 * decision. It binds the decision id, session and step, the principal chain, the tool and the SHA-256 of
 * the canonical arguments, so the tool can verify offline that this exact call was authorized
 * (lib/receipts/verify-receipt.ts, docs/receipts.md).
 */
import { sign } from "node:crypto";
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

  /**
   * A compact JWS (RFC 7515) signed synchronously with node:crypto: receipts are on the decision hot
   * path (every allow), where jose's WebCrypto signing costs about twice as much. Verifiable with any
   * JOSE library (lib/receipts/verify-receipt.ts uses jose).
   */
  async sign(claims: Record<string, unknown>): Promise<string> {
    const k = await this.keys.current();
    if (k.alg !== "EdDSA") throw new Error(`receipts are signed with EdDSA keys, not ${k.alg}`);
    const now = Math.floor(Date.now() / 1000);
    // Without a delegation the principal chain is the calling agent alone.
    const chain = Array.isArray(claims.chain) && claims.chain.length ? claims.chain : [claims.agent];
    const payload = {
      ...claims,
      chain,
      iss: this.keys.issuer,
      iat: now,
      exp: now + this.ttlSeconds,
      ...(typeof claims.decision_id === "string" ? { jti: claims.decision_id } : {}),
    };
    const input = `${b64url({ alg: k.alg, kid: k.kid, typ: RECEIPT_TYP })}.${b64url(payload)}`;
    const signature = sign(null, Buffer.from(input), k.key as Parameters<typeof sign>[2]);
    return `${input}.${signature.toString("base64url")}`;
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
