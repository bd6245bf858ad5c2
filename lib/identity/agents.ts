/**
 * Agents (non-human identities) and their API keys. Keys are shown once; only hashes are stored.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { newCredential } from "../crypto/keys.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { AGENT_CREATE_ENTRY, AGENT_SUSPEND_ENTRY, KEY_CREATE_ENTRY, KEY_REVOKE_ENTRY } from "../audit/entries/index.ts";

export const newAgentSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, _ . - (start with a letter or digit)"),
    owner: z.string().email().optional(),
    team: z.string().max(100).regex(/^[A-Za-z0-9_.-]+$/).optional(),
    description: z.string().max(2000).optional(),
    environment: z.string().max(50).optional(),
  })
  .strict();

export const DEFAULT_KEY_DAYS = 90;

export async function createAgent(rt: NodeContext, input: z.input<typeof newAgentSchema>, actor: string, withKey = true) {
  const a = newAgentSchema.parse(input);
  const id = randomUUID();
  const cred = withKey ? newCredential("agent_key") : null;
  const expiresAt = new Date(Date.now() + DEFAULT_KEY_DAYS * 86_400_000);
  await adminAction(rt, async (tx) => {
    let ownerId: string | null = null;
    if (a.owner) {
      const u = await tx.query("SELECT id FROM users WHERE email = $1", [a.owner.toLowerCase()]);
      if (!u.rowCount) throw new MandateError(400, "invalid_owner", `no user with email ${a.owner}`);
      ownerId = u.rows[0].id;
    }
    const dup = await tx.query("SELECT 1 FROM agents WHERE name = $1", [a.name]);
    if (dup.rowCount) throw new MandateError(409, "conflict", `an agent named ${a.name} already exists`);
    await tx.query(
      "INSERT INTO agents (id, name, owner_id, team, description, environment, created_at) VALUES ($1, $2, $3, $4, $5, $6, now())",
      [id, a.name, ownerId, a.team ?? null, a.description ?? null, a.environment ?? null],
    );
    const audit = [AGENT_CREATE_ENTRY.entry({ actor, agent_id: id, data: { agent_id: id, name: a.name, owner: a.owner ?? null, team: a.team ?? null } })];
    if (cred) {
      await tx.query(
        "INSERT INTO agent_keys (id, agent_id, key_id, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, now(), $5)",
        [randomUUID(), id, cred.keyId, cred.hash, expiresAt],
      );
      audit.push(KEY_CREATE_ENTRY.entry({ actor, agent_id: id, data: { agent_id: id, name: a.name, key_id: cred.keyId, expires_at: expiresAt.toISOString() } }));
    }
    return { result: null, audit };
  });
  return { id, name: a.name, apiKey: cred?.secret ?? null, keyId: cred?.keyId ?? null, expiresAt: cred ? expiresAt : null };
}

export async function createAgentKey(rt: NodeContext, agentRef: string, actor: string, expiresInDays: number = DEFAULT_KEY_DAYS) {
  const cred = newCredential("agent_key");
  const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000);
  const agent = await adminAction(rt, async (tx) => {
    const r = await tx.query("SELECT id, name FROM agents WHERE id::text = $1 OR name = $1", [agentRef]);
    if (!r.rowCount) throw notFound(`agent ${agentRef}`);
    const { id, name } = r.rows[0];
    await tx.query(
      "INSERT INTO agent_keys (id, agent_id, key_id, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, now(), $5)",
      [randomUUID(), id, cred.keyId, cred.hash, expiresAt],
    );
    return { result: { id, name }, audit: KEY_CREATE_ENTRY.entry({ actor, agent_id: id, data: { agent_id: id, name, key_id: cred.keyId, expires_at: expiresAt.toISOString() } }) };
  });
  return { agent, keyId: cred.keyId, apiKey: cred.secret, expiresAt };
}

export async function revokeAgentKey(rt: NodeContext, keyId: string, actor: string) {
  const hash = await adminAction(rt, async (tx) => {
    const r = await tx.query(
      "UPDATE agent_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING agent_id, key_hash",
      [keyId],
    );
    if (!r.rowCount) throw notFound(`active key ${keyId}`);
    return { result: r.rows[0].key_hash as string, audit: KEY_REVOKE_ENTRY.entry({ actor, agent_id: r.rows[0].agent_id, data: { key_id: keyId } }) };
  });
  await rt.applyChange("agent_keys", hash);
  return null;
}

export async function setAgentSuspended(rt: NodeContext, agentRef: string, suspended: boolean, reason: string | null, actor: string) {
  const agent = await adminAction(rt, async (tx) => {
    const r = await tx.query(
      `UPDATE agents SET suspended_at = CASE WHEN $2 THEN now() ELSE NULL END, suspended_reason = CASE WHEN $2 THEN $3 ELSE NULL END
        WHERE id::text = $1 OR name = $1 RETURNING id, name`,
      [agentRef, suspended, reason],
    );
    if (!r.rowCount) throw notFound(`agent ${agentRef}`);
    const { id, name } = r.rows[0];
    return { result: { id, name }, audit: AGENT_SUSPEND_ENTRY.entry({ action: suspended ? "agent.suspend" : "agent.unsuspend", actor, agent_id: id, data: { agent_id: id, name, reason } }) };
  });
  await rt.applyChange("agents", agent.id);
  return agent;
}
