/**
 * Verification of Mandate receipts, for tool authors. A receipt is the short-lived JWT Mandate returns
 * with an allowed decision (and the gateway forwards with the call). Before acting, a tool checks that
 * the receipt is signed by Mandate (JWKS), unexpired, and binds exactly this tool and these arguments:
 *
 *   const check = await verifyReceipt(receipt, {
 *     keys: "https://mandate.example.com/.well-known/jwks.json",
 *     tool: "crm/update_customer",
 *     arguments: args,
 *   });
 *   if (!check.ok) throw new Error(`not authorized: ${check.message}`);
 *
 * Depends only on jose and the canonical JSON of lib/util (the same bytes Mandate hashed).
 */
import { createHash } from "node:crypto";
import * as jose from "jose";
import { canonicalJson } from "../util/canonical-json.ts";

export const RECEIPT_TYP = "mandate-receipt+jwt";
export const MAX_RECEIPT_LIFETIME_S = 60;

export interface ReceiptClaims {
  iss: string;
  jti: string;
  iat: number;
  exp: number;
  decision_id: string;
  sid: string;
  step: number;
  agent: string;
  /** Principal chain, first hop to the calling agent. */
  chain: string[];
  /** The human on whose behalf, when the call was made under a delegation. */
  sub?: string;
  tool: string;
  args_sha256: string;
}

export type ReceiptFailure =
  "malformed" | "bad_signature" | "expired" | "wrong_issuer" | "too_long_lived" | "wrong_tool" | "arguments_mismatch" | "wrong_session";
export type ReceiptCheck = { ok: true; claims: ReceiptClaims } | { ok: false; reason: ReceiptFailure; message: string };

export interface VerifyReceiptOptions {
  /** The JWKS URL (fetched and cached), a JWKS document, or a jose key resolver. */
  keys: string | URL | jose.JSONWebKeySet | jose.JWTVerifyGetKey;
  /** The tool being called: "server/name" or {server, name}. */
  tool: string | { server: string; name: string };
  /** The arguments the tool received. */
  arguments: unknown;
  /** Expected issuer (see /.well-known/oauth-authorization-server); unchecked when omitted. */
  issuer?: string;
  /** Expected session id, when the tool knows it. */
  sessionId?: string;
  now?: Date;
  clockToleranceSeconds?: number;
}

/** SHA-256 (hex) of the canonical JSON of the arguments: what Mandate puts in `args_sha256`. */
export function argumentsSha256(args: unknown): string {
  return createHash("sha256")
    .update(canonicalJson(args ?? {}))
    .digest("hex");
}

const remoteSets = new Map<string, jose.JWTVerifyGetKey>();

export function receiptKeys(keys: VerifyReceiptOptions["keys"]): jose.JWTVerifyGetKey {
  if (typeof keys === "function") return keys;
  if (typeof keys === "string" || keys instanceof URL) {
    const url = String(keys);
    let set = remoteSets.get(url);
    if (!set) remoteSets.set(url, (set = jose.createRemoteJWKSet(new URL(url))));
    return set;
  }
  return jose.createLocalJWKSet(keys);
}

const fail = (reason: ReceiptFailure, message: string): ReceiptCheck => ({ ok: false, reason, message });

function readClaims(p: jose.JWTPayload): ReceiptClaims | null {
  const s = (k: string) => typeof p[k] === "string";
  if (!s("decision_id") || !s("sid") || !s("agent") || !s("tool") || !s("args_sha256")) return null;
  if (typeof p.step !== "number" || !Array.isArray(p.chain) || typeof p.iat !== "number" || typeof p.exp !== "number") return null;
  return p as unknown as ReceiptClaims;
}

export async function verifyReceipt(receipt: string, opts: VerifyReceiptOptions): Promise<ReceiptCheck> {
  let payload: jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(receipt, receiptKeys(opts.keys), {
      typ: RECEIPT_TYP,
      algorithms: ["EdDSA", "ES256"],
      issuer: opts.issuer,
      currentDate: opts.now,
      clockTolerance: opts.clockToleranceSeconds ?? 5,
      requiredClaims: ["iat", "exp"],
    }));
  } catch (err) {
    if (err instanceof jose.errors.JWTExpired) return fail("expired", "receipt expired");
    if (err instanceof jose.errors.JWTClaimValidationFailed && err.claim === "iss")
      return fail("wrong_issuer", "receipt was not issued by the expected Mandate");
    if (err instanceof jose.errors.JWSSignatureVerificationFailed || err instanceof jose.errors.JWKSNoMatchingKey)
      return fail("bad_signature", "receipt signature does not verify with Mandate's keys");
    return fail("malformed", `receipt is not a valid Mandate receipt (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  const c = readClaims(payload);
  if (!c) return fail("malformed", "receipt lacks decision_id, sid, step, agent, chain, tool or args_sha256");
  if (c.exp - c.iat > MAX_RECEIPT_LIFETIME_S) return fail("too_long_lived", `receipt lifetime exceeds ${MAX_RECEIPT_LIFETIME_S} s`);
  const tool = typeof opts.tool === "string" ? opts.tool : `${opts.tool.server}/${opts.tool.name}`;
  if (c.tool !== tool) return fail("wrong_tool", `receipt is for ${c.tool}, not ${tool}`);
  if (opts.sessionId !== undefined && c.sid !== opts.sessionId) return fail("wrong_session", `receipt is for session ${c.sid}`);
  if (c.args_sha256 !== argumentsSha256(opts.arguments)) return fail("arguments_mismatch", "the arguments differ from the ones Mandate authorized");
  return { ok: true, claims: c };
}
