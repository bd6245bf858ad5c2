/**
 * A first-hop delegation granted in the console (issue 16): the signed-in user gives an agent, named
 * in the form, authority in a session — without pasting a personal token or the agent's API key into
 * a web page. The user's authority is the console session the request carries (checked by the route);
 * the agent needs no proof here because the token names it as the last link of its chain, and the
 * decision path accepts a delegation token only from that agent (verifier.ts). Scopes, session and
 * expiry follow the same rules as POST /api/v1/token (exchange.ts); the delegation is stored and
 * audited as `delegation.issue` in one transaction, and revoked like any other
 * (POST /api/v1/delegations/:id/revoke).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { notFound } from "../errors.ts";
import type { UserPrincipal } from "../identity/credential-cache.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { MAX_CALLS_LIMIT } from "./budget.ts";
import { signDelegationToken, type DelegationClaims } from "./delegation-token.ts";
import { expiryFor, MAX_LIFETIME_S, scopesFor, sessionFor, store } from "./exchange.ts";
import { oauthError } from "./oauth-errors.ts";
import type { Subject } from "./subject.ts";

export const consoleGrantSchema = z.strictObject({
  agent: z.string().min(1).max(100).describe("The agent receiving authority (its name)"),
  scope: z.string().min(1).max(8192).describe("Space-separated scopes, e.g. tool:crm/* tool:mail/send_email"),
  expires_in: z.number().int().min(1).max(MAX_LIFETIME_S).default(3600).describe("Lifetime in seconds (at most 86400)"),
  max_calls: z
    .number()
    .int()
    .min(1)
    .max(MAX_CALLS_LIMIT)
    .optional()
    .describe("A call budget (claim max_calls): allowed calls the agent may make under this delegation and those it delegates onward"),
});
export type ConsoleGrant = z.infer<typeof consoleGrantSchema>;

export interface ConsoleGrantResult {
  delegation_id: string;
  access_token: string;
  agent: string;
  session_id: string;
  scope: string;
  expires_in: number;
  expires_at: string;
  /** The call budget, when one was set. */
  max_calls?: number;
}

export async function grantFromConsole(rt: Runtime, user: UserPrincipal, sessionId: string, g: ConsoleGrant): Promise<ConsoleGrantResult> {
  const a = await getPool().query<Row<"agents", "id" | "name" | "suspended_at">>(`SELECT id, name, suspended_at FROM agents WHERE name = $1`, [g.agent]);
  const agent = a.rows[0];
  if (!agent) throw notFound(`agent ${g.agent}`);
  if (agent.suspended_at) throw oauthError("invalid_request", `agent ${agent.name} is suspended`);
  const subject: Subject = {
    kind: "console_session",
    email: user.email,
    userId: user.userId,
    expiresAt: null,
    parent: null,
    via: `console:user:${user.userId}`,
  };
  const scopes = scopesFor(subject, g.scope);
  const now = Math.floor(Date.now() / 1000);
  const claims: DelegationClaims = {
    jti: randomUUID(),
    subject: user.email,
    sessionId: sessionFor(subject, sessionId),
    scopes,
    chain: [{ agent_id: agent.id, name: agent.name }],
    audience: null,
    issuedAt: now,
    expiresAt: expiryFor(subject, String(g.expires_in), now),
    ...(g.max_calls !== undefined ? { maxCalls: g.max_calls } : {}),
  };
  const token = await signDelegationToken(rt.delegation.keys, claims);
  await store(rt, claims, subject, { agentId: agent.id, name: agent.name });
  return {
    delegation_id: claims.jti,
    access_token: token,
    agent: agent.name,
    session_id: claims.sessionId,
    scope: scopes.join(" "),
    expires_in: claims.expiresAt - now,
    expires_at: new Date(claims.expiresAt * 1000).toISOString(),
    ...(g.max_calls !== undefined ? { max_calls: g.max_calls } : {}),
  };
}
