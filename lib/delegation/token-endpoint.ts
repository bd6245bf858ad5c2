/**
 * POST /api/v1/token: which exchange a request is.
 * - RFC 7523 jwt-bearer (`assertion`), or RFC 8693 with a `subject_token` of type jwt that Mandate did
 *   not issue and no `actor_token`: a platform token exchanged for a Mandate access token
 *   (workload identity federation, lib/identity/federation/exchange.ts).
 * - RFC 8693 with a Mandate access token (`mnd_at_…`) as subject_token and no actor_token: its renewal.
 * - Anything else: delegation (exchange.ts), as before.
 */
import * as jose from "jose";
import type { Runtime } from "../runtime/runtime.ts";
import { exchangeFederated, GRANT_TYPE_JWT_BEARER, renewFederated } from "../identity/federation/exchange.ts";
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

export async function tokenEndpoint(rt: Runtime, form: TokenExchangeForm) {
  if (form.grant_type === GRANT_TYPE_JWT_BEARER) {
    if (!form.assertion) throw oauthError("invalid_request", "assertion is required (RFC 7523): the platform token");
    return exchangeFederated(rt, { token: form.assertion, grant: "jwt-bearer", agent: form.agent, audience: form.audience });
  }
  if (form.grant_type === GRANT_TYPE_TOKEN_EXCHANGE && !form.actor_token && form.subject_token) {
    if (form.subject_token.startsWith("mnd_at_") && form.subject_token_type === TOKEN_TYPE.accessToken)
      return renewFederated(rt, form.subject_token, form.audience);
    if (form.subject_token_type === TOKEN_TYPE.jwt && (await issuedElsewhere(rt, form.subject_token)))
      return exchangeFederated(rt, { token: form.subject_token, grant: "token-exchange", agent: form.agent, audience: form.audience });
  }
  return exchangeToken(rt, rt.delegation, form);
}
