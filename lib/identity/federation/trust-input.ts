/**
 * The shape of a trust rule (workload identity federation), with no server dependency: the API route,
 * lib/identity/federation/trust.ts and the console's add-rule form all validate with this one schema, so
 * the console says exactly what the API would refuse.
 */
import { z } from "zod";

/** Registered claims that the trust rule's own fields check; a `--claim` may not name them. */
const RESERVED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters");

/** https, or http to this machine only (a local issuer in development and tests). */
export function fetchableUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  return u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.has(u.hostname));
}

export const trustRuleInput = z
  .object({
    issuer: text(500).describe("the `iss` the platform token must carry (an OpenID issuer URL unless jwks_url is given)"),
    subject: text(500).describe("the `sub` it must carry, exactly (e.g. system:serviceaccount:payments:refund-bot, spiffe://acme.org/ns/x/sa/y)"),
    claims: z
      .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "a top-level claim name"), text(500))
      .refine((c) => Object.keys(c).length <= 20, "at most 20 claims")
      .refine((c) => !Object.keys(c).some((k) => RESERVED_CLAIMS.has(k)), "iss, sub, aud, exp, nbf, iat and jti are checked by the rule's own fields")
      .default({})
      .describe("top-level claims that must be strings equal to these values"),
    audience: text(500).optional().describe("a value the token's `aud` must contain (default: Mandate's public URL)"),
    jwks_url: z
      .string()
      .max(2000)
      .refine(fetchableUrl, "must be an https URL (or http to localhost)")
      .optional()
      .describe("the issuer's JWKS (default: jwks_uri of <issuer>/.well-known/openid-configuration)"),
  })
  .strict()
  .refine((r) => r.jwks_url !== undefined || fetchableUrl(r.issuer), {
    path: ["issuer"],
    message: "without jwks_url the issuer must be an https URL (or http to localhost) whose discovery document names its keys",
  });
