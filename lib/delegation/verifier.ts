/**
 * The decision path's delegation verifier (rt.delegation): signature, expiry, revocation of the token
 * and of every delegation it came from, and that its current actor is the agent that authenticated.
 * Verified signatures are cached per token until the token expires; revocation statuses are cached
 * and invalidated through the change feed.
 */
import type { DelegationView } from "../decisions/mcp-request.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { DelegationVerifier } from "../runtime/runtime.ts";
import { verifyDelegationJwt, type DelegationClaims } from "./delegation-token.ts";
import type { DelegationService } from "./service.ts";
import type { DelegationBudget } from "./budget.ts";

type Result = { ok: true; view: DelegationView } | { ok: false; message: string };
const MAX_CACHED = 10_000;

/** Pure: checks the verified claims against the authenticated agent and the stored delegation. */
export function viewFor(
  claims: DelegationClaims,
  agent: AgentPrincipal,
  stored: { agentId: string; sessionId: string | null; budgets?: DelegationBudget[] },
): Result {
  const current = claims.chain[claims.chain.length - 1];
  if (current.agent_id !== agent.agentId) {
    return {
      ok: false,
      message: `delegation token was issued to agent ${current.name}, but the request was authenticated as agent ${agent.name}: an agent cannot claim another agent's identity`,
    };
  }
  if (stored.agentId !== current.agent_id || (stored.sessionId !== null && stored.sessionId !== claims.sessionId)) {
    return { ok: false, message: "delegation token does not match the delegation Mandate stored" };
  }
  return {
    ok: true,
    view: {
      present: true,
      depth: claims.chain.length,
      chain: claims.chain,
      onBehalfOf: claims.subject,
      scopes: claims.scopes,
      tokenId: claims.jti,
      sessionId: claims.sessionId,
      ...(stored.budgets?.length ? { budgets: stored.budgets } : {}),
    },
  };
}

export class TokenVerifier implements DelegationVerifier {
  private verified = new Map<string, DelegationClaims>();

  constructor(private readonly svc: DelegationService) {}

  private async claims(token: string): Promise<{ ok: true; claims: DelegationClaims } | { ok: false; message: string }> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt * 1000 > Date.now()) return { ok: true, claims: hit };
      this.verified.delete(token);
      return { ok: false, message: "delegation token expired" };
    }
    const v = await verifyDelegationJwt(this.svc.keys, token);
    if (!v.ok) return v;
    if (this.verified.size >= MAX_CACHED) this.verified.clear();
    this.verified.set(token, v.claims);
    return v;
  }

  async verify(token: string, agent: AgentPrincipal): Promise<Result> {
    const c = await this.claims(token);
    if (!c.ok) return c;
    const rev = await this.svc.revocations.check(c.claims.jti);
    if (!rev.ok) return rev;
    if (await this.svc.subjects.isDisabled(c.claims.subject))
      return { ok: false, message: `user ${c.claims.subject}, on whose behalf the delegation acts, is disabled` };
    return viewFor(c.claims, agent, rev.record);
  }

  invalidate(table: string, key: string): void {
    if (table === "delegations") this.svc.revocations.invalidate(key);
    else if (table === "signing_keys") this.svc.keys.invalidate();
    else if (table === "users") this.svc.subjects.clear();
  }

  clear(): void {
    this.svc.revocations.clear();
    this.svc.subjects.clear();
    this.svc.keys.invalidate();
  }
}
