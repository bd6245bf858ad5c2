/**
 * The token-type URIs the token endpoint accepts (RFC 8693 §3) and the JWT `typ` headers Mandate
 * signs with (so a receipt can never be presented as a delegation token, nor the reverse).
 */

export const GRANT_TYPE_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

export const TOKEN_TYPE = {
  /** A Mandate credential: personal API token `mnd_pt_…` (subject) or agent API key `mnd_ak_…` (actor). */
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  /** An OpenID Connect ID token from OIDC_ISSUER (subject). */
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  /** A Mandate delegation token (subject of a further hop; also the issued token type). */
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  /** Mandate-specific aliases, equivalent to the above. */
  personalToken: "urn:mandate:params:oauth:token-type:personal-token",
  agentKey: "urn:mandate:params:oauth:token-type:agent-key",
  delegation: "urn:mandate:params:oauth:token-type:delegation",
} as const;

/** `console_session`: a grant made in the console by the signed-in user (console-grant.ts), never from a token. */
export type SubjectKind = "personal_token" | "id_token" | "delegation" | "console_session";

/** Which kind of subject a (type, token) pair is, or null when Mandate does not accept it. */
export function subjectKind(type: string, token: string): SubjectKind | null {
  switch (type) {
    case TOKEN_TYPE.accessToken:
    case TOKEN_TYPE.personalToken:
      return token.startsWith("mnd_pt_") ? "personal_token" : null;
    case TOKEN_TYPE.idToken:
      return "id_token";
    case TOKEN_TYPE.jwt:
    case TOKEN_TYPE.delegation:
      return "delegation";
    default:
      return null;
  }
}

export function isAgentKeyType(type: string, token: string): boolean {
  // An agent API key, or the access token of a federated workload identity (lib/identity/federation).
  return (type === TOKEN_TYPE.accessToken || type === TOKEN_TYPE.agentKey) && (token.startsWith("mnd_ak_") || token.startsWith("mnd_at_"));
}

export const DELEGATION_TYP = "mandate-delegation+jwt";
export const RECEIPT_TYP = "mandate-receipt+jwt";
