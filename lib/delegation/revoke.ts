/**
 * Revocation (RFC 7009 at POST /api/v1/token/revoke, and by id for the console): revoking a delegation
 * revokes everything delegated from it, in one transaction with its audit entry. The trigger on
 * delegations.revoked_at notifies every node, whose verifiers drop the cached status at once.
 */
import * as jose from "jose";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import { notFound } from "../errors.ts";
import type { Row } from "../db/rows.ts";
import type { Principal } from "../identity/credential-cache.ts";
import { keyResolver, readClaims, type DelegationClaims } from "./delegation-token.ts";
import { oauthError } from "./oauth-errors.ts";
import type { DelegationService } from "./service.ts";
import { DELEGATION_TYP } from "./token-types.ts";
import { DELEGATION_REVOKE_ENTRY } from "../audit/entries/index.ts";

/** Revokes a delegation and all its descendants; returns the ids newly revoked. */
export async function revokeDelegation(rt: NodeContext, id: string, actor: string, reason: string | null = null): Promise<{ id: string; revoked: string[] }> {
  return adminAction(rt, async (tx) => {
    const row = await tx.query<Row<"delegations", "session_id" | "agent_id">>(`SELECT session_id, agent_id FROM delegations WHERE id = $1`, [id]);
    if (!row.rowCount) throw notFound(`delegation ${id}`);
    // A child whose exchange held the parent row when this UPDATE began commits before the UPDATE
    // proceeds but is not in its snapshot: a further pass (a new snapshot) revokes it too. (The
    // verifier also checks every ancestor, so such a child is refused either way.)
    const revoked: string[] = [];
    for (let pass = 0; pass < 5; pass++) {
      const r = await tx.query<Row<"delegations", "id">>(
        `WITH RECURSIVE down AS (
           SELECT id FROM delegations WHERE id = $1
           UNION
           SELECT d.id FROM delegations d JOIN down ON d.parent_id = down.id)
         UPDATE delegations SET revoked_at = now() WHERE id IN (SELECT id FROM down) AND revoked_at IS NULL RETURNING id`,
        [id],
      );
      if (!r.rowCount) break;
      revoked.push(...r.rows.map((x) => x.id));
    }
    return {
      result: { id, revoked },
      audit: DELEGATION_REVOKE_ENTRY.entry({
        actor,
        session_id: row.rows[0].session_id,
        agent_id: row.rows[0].agent_id,
        data: { jti: id, revoked, cascade: revoked.length, reason },
      }),
    };
  });
}

/** Signature and typ verified; expiry ignored (an expired token may still be revoked, harmlessly). */
async function readSignedToken(svc: DelegationService, token: string): Promise<DelegationClaims | null> {
  await svc.keys.ready();
  try {
    const { payload } = await jose.jwtVerify(token, keyResolver(svc.keys), { issuer: svc.keys.issuer, typ: DELEGATION_TYP, algorithms: ["EdDSA", "ES256"] });
    const c = readClaims(payload);
    return c.ok ? c.claims : null;
  } catch (err) {
    if (err instanceof jose.errors.JWTExpired) {
      const c = readClaims(err.payload);
      return c.ok ? c.claims : null;
    }
    return null;
  }
}

function mayRevoke(p: Principal, c: DelegationClaims): boolean {
  if (p.kind === "agent") return c.chain.some((l) => l.agent_id === p.agentId);
  return p.email === c.subject || p.role === "admin" || p.role === "analyst";
}

/**
 * RFC 7009: the caller authenticates (agent key or personal token); an agent in the token's chain, the
 * human it acts for, or an analyst/admin may revoke it. An invalid or unknown token is answered with
 * 200 like a revoked one (RFC 7009 §2.2).
 */
export async function revokeByToken(rt: NodeContext & { delegation: DelegationService }, principal: Principal, token: string): Promise<{ revoked: number }> {
  const c = await readSignedToken(rt.delegation, token);
  if (!c) return { revoked: 0 };
  if (!mayRevoke(principal, c))
    throw oauthError("unauthorized_client", "only an agent in the token's chain, the user it acts for, or an analyst/admin may revoke it");
  const exists = await getPool().query(`SELECT 1 FROM delegations WHERE id = $1`, [c.jti]);
  if (!exists.rowCount) return { revoked: 0 };
  const actor = principal.kind === "agent" ? `agent:${principal.name}` : `user:${principal.email}`;
  const r = await revokeDelegation(rt, c.jti, actor, "RFC 7009 revocation request");
  return { revoked: r.revoked.length };
}
