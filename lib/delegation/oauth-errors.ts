/**
 * OAuth 2.0 errors (RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 7009 §2.2.1): `{error, error_description}`
 * with the status the RFCs give (and RFC 9449's `invalid_dpop_proof`). The token endpoints render every failure this way.
 */
import { MandateError } from "../errors.ts";

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "invalid_scope"
  | "invalid_target"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_token_type"
  | "server_error"
  /** RFC 9449 §5: a DPoP proof at the token endpoint that does not hold. */
  | "invalid_dpop_proof";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_token_type: 400,
  server_error: 500,
  invalid_dpop_proof: 400,
};

export function oauthError(code: OAuthErrorCode, description: string): MandateError {
  const headers = code === "invalid_client" ? { "WWW-Authenticate": `Bearer realm="mandate-token", error="invalid_client"` } : undefined;
  return new MandateError(STATUS[code], code, description, undefined, headers);
}

/** errorFormat for defineRoute: any MandateError → RFC 6749 error response. */
export function oauthErrorFormat(err: MandateError): { status: number; body: { error: string; error_description: string } } {
  if (err.code in STATUS) return { status: err.status, body: { error: err.code, error_description: err.message } };
  if (err.status === 401) return { status: 401, body: { error: "invalid_client", error_description: err.message } };
  if (err.status === 403) return { status: 403, body: { error: "unauthorized_client", error_description: err.message } };
  if (err.status >= 500) return { status: err.status, body: { error: "server_error", error_description: err.message } };
  return { status: err.status === 413 || err.status === 415 ? err.status : 400, body: { error: "invalid_request", error_description: err.message } };
}
