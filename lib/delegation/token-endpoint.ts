/**
 * POST /api/v1/token: which exchange a request is.
 * - RFC 7523 jwt-bearer (`assertion`), or RFC 8693 with a `subject_token` of type jwt that Mandate did
 *   not issue and no `actor_token`: a platform token exchanged for a Mandate access token
 *   (workload identity federation, lib/identity/federation/exchange.ts).
 * - RFC 8693 with a Mandate access token (`mnd_at_…`) as subject_token and no actor_token: its renewal.
 * - Anything else: delegation (exchange.ts), as before.
 * A `DPoP` proof header (RFC 9449) on a federation request binds the access token to the proof's key
 * (identity/federation/dpop.ts). Delegation tokens are not DPoP-bound, but a DPoP-bound access token as
 * actor_token needs a proof of its key on the request.
 */
import type { IncomingMessage } from "node:http";
import * as jose from "jose";
import type { Runtime } from "../runtime/runtime.ts";
import { auditDpopRefusal } from "../http/dpop-auth.ts";
import { DpopError, dpopHeader, expectedHtu, verifyDpopProof } from "../identity/federation/dpop.ts";
import { exchangeFederated, GRANT_TYPE_JWT_BEARER, renewFederated, type DpopKey } from "../identity/federation/exchange.ts";
import { MandateError } from "../errors.ts";
import { exchangeToken, type TokenExchangeForm } from "./exchange.ts";
import { oauthError } from "./oauth-errors.ts";
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from "./token-types.ts";

async function issuedElsewhere(rt: Runtime, token: string): Promise<boolean> {
  let iss: unknown;
  try {
    iss = jose.decodeJwt(token).iss;
  } catch {
    return false; // not a JWT: the delegation path says what is wrong with it
  }
  await rt.delegation.keys.ready();
  // No iss at all is not Mandate's either: the federation path refuses it (401, audited).
  return iss !== rt.delegation.keys.issuer;
}

/** The request's DPoP proof, verified on first use (a second call answers the same). */
function dpopKey(rt: Runtime, req: IncomingMessage): DpopKey {
  let key: Promise<string | null> | null = null;
  return () =>
    (key ??= (async () => {
      const proof = dpopHeader(req);
      if (!proof) return null;
      return (await verifyDpopProof(proof, { method: "POST", htu: expectedHtu(rt.config.publicUrl, req) })).jkt;
    })());
}

/** A DPoP-bound access token as actor_token: the request must carry a proof of its key (refused and audited otherwise). */
async function checkBoundActor(rt: Runtime, req: IncomingMessage, actorToken: string | undefined, dpop: DpopKey): Promise<void> {
  if (!actorToken?.startsWith("mnd_at_")) return;
  const a = await rt.credentials.authenticate(actorToken);
  if (!a.ok || a.principal.kind !== "agent" || !a.principal.dpopJkt) return; // exchange.ts says what is wrong
  let reason: string | null = null;
  try {
    const jkt = await dpop();
    if (!jkt) reason = "actor_token is DPoP-bound: the request needs a DPoP proof of its key";
    else if (jkt !== a.principal.dpopJkt) reason = "the DPoP proof is signed by another key than the one actor_token is bound to";
  } catch (e) {
    if (!(e instanceof DpopError)) throw e;
    reason = e.reason;
  }
  if (!reason) return;
  await auditDpopRefusal(rt, req, a.principal, reason);
  throw new MandateError(400, "invalid_dpop_proof", reason);
}

export async function tokenEndpoint(rt: Runtime, form: TokenExchangeForm, req: IncomingMessage) {
  const dpop = dpopKey(rt, req);
  if (form.grant_type === GRANT_TYPE_JWT_BEARER) {
    if (!form.assertion) throw oauthError("invalid_request", "assertion is required (RFC 7523): the platform token");
    return exchangeFederated(rt, { token: form.assertion, grant: "jwt-bearer", agent: form.agent, audience: form.audience, dpop });
  }
  if (form.grant_type === GRANT_TYPE_TOKEN_EXCHANGE && !form.actor_token && form.subject_token) {
    if (form.subject_token.startsWith("mnd_at_") && form.subject_token_type === TOKEN_TYPE.accessToken)
      return renewFederated(rt, form.subject_token, form.audience, dpop);
    if (form.subject_token_type === TOKEN_TYPE.jwt && (await issuedElsewhere(rt, form.subject_token)))
      return exchangeFederated(rt, { token: form.subject_token, grant: "token-exchange", agent: form.agent, audience: form.audience, dpop });
  }
  await checkBoundActor(rt, req, form.actor_token, dpop);
  return exchangeToken(rt, rt.delegation, form);
}
