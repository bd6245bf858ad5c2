/**
 * Agents (non-human identities) and their API keys. Keys are shown once; only hashes are stored.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import { newCredential } from "../crypto/keys.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { AGENT_CREATE_ENTRY, AGENT_OWNER_ENTRY, AGENT_SUSPEND_ENTRY, KEY_CREATE_ENTRY, KEY_REVOKE_ENTRY, KEY_ROTATE_ENTRY } from "../audit/entries/index.ts";
import { keyExpiry, overlapEnd } from "./key-lifetime.ts";

export const newAgentSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, _ . - (start with a letter or digit)"),
    owner: z.string().email().optional(),
    team: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional(),
    description: z.string().max(2000).optional(),
    environment: z.string().max(50).optional(),
    federated_only: z.boolean().optional().describe("authenticates only with a federated workload identity: no API key is created"),
  })
  .strict();

/**
 * An agent named by its id or its name, as `id::text = ref OR name = ref` selects it: only an id in
 * PostgreSQL's canonical text form (lowercase, with hyphens) can match the id.
 */
export function agentRef(ref: string) {
  return CANONICAL_UUID.test(ref) ? { OR: [{ id: ref }, { name: ref }] } : { name: ref };
}
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function createAgent(rt: NodeContext, input: z.input<typeof newAgentSchema>, actor: string, withKey = true) {
  const a = newAgentSchema.parse(input);
  const id = randomUUID();
  const cred = withKey && !a.federated_only ? newCredential("agent_key") : null;
  const expiresAt = keyExpiry("agent_key", undefined);
  await adminAction(rt, async (_tx, orm) => {
    await orm(async (db) => {
      let ownerId: string | null = null;
      if (a.owner) {
        const u = await db.user.findUnique({ where: { email: a.owner.toLowerCase() }, select: { id: true } });
        if (!u) throw new MandateError(400, "invalid_owner", `no user with email ${a.owner}`);
        ownerId = u.id;
      }
      if (await db.agent.findUnique({ where: { name: a.name }, select: { id: true } })) {
        throw new MandateError(409, "conflict", `an agent named ${a.name} already exists`);
      }
      await db.agent.create({
        data: {
          id,
          name: a.name,
          ownerId,
          team: a.team ?? null,
          description: a.description ?? null,
          environment: a.environment ?? null,
          federatedOnly: a.federated_only ?? false,
        },
        select: { id: true },
      });
      if (cred) await db.agentKey.create({ data: { id: randomUUID(), agentId: id, keyId: cred.keyId, keyHash: cred.hash, expiresAt }, select: { id: true } });
    });
    const audit: AdminAudit[] = [
      AGENT_CREATE_ENTRY.entry({
        action: "agent.create",
        actor,
        agent_id: id,
        data: { agent_id: id, name: a.name, owner: a.owner ?? null, team: a.team ?? null, ...(a.federated_only ? { federated_only: true as const } : {}) },
      }),
    ];
    if (cred)
      audit.push(
        KEY_CREATE_ENTRY.entry({
          action: "key.create",
          actor,
          agent_id: id,
          data: { agent_id: id, name: a.name, key_id: cred.keyId, expires_at: expiresAt.toISOString() },
        }),
      );
    return { result: null, audit };
  });
  return { id, name: a.name, apiKey: cred?.secret ?? null, keyId: cred?.keyId ?? null, expiresAt: cred ? expiresAt : null };
}

/** `expiresInDays` undefined: the default lifetime; beyond the maximum: 400 (lib/identity/key-lifetime.ts). */
export async function createAgentKey(rt: NodeContext, agentRefText: string, actor: string, expiresInDays?: number) {
  const expiresAt = keyExpiry("agent_key", expiresInDays);
  const cred = newCredential("agent_key");
  const agent = await adminAction(rt, async (_tx, orm) => {
    const { id, name } = await orm(async (db) => {
      const found = await db.agent.findFirst({ where: agentRef(agentRefText), select: { id: true, name: true, federatedOnly: true } });
      if (!found) throw notFound(`agent ${agentRefText}`);
      if (found.federatedOnly)
        throw new MandateError(
          409,
          "federated_only",
          `agent ${found.name} is federated-only: it authenticates with its platform's workload identity, and no API key can be created for it`,
        );
      await db.agentKey.create({ data: { id: randomUUID(), agentId: found.id, keyId: cred.keyId, keyHash: cred.hash, expiresAt }, select: { id: true } });
      return found;
    });
    return {
      result: { id, name },
      audit: KEY_CREATE_ENTRY.entry({
        action: "key.create",
        actor,
        agent_id: id,
        data: { agent_id: id, name, key_id: cred.keyId, expires_at: expiresAt.toISOString() },
      }),
    };
  });
  return { agent, keyId: cred.keyId, apiKey: cred.secret, expiresAt };
}

/**
 * Rotation with an overlap window: a new key for the same agent, and the old key's expiry brought forward
 * to now + `overlapSeconds` (never later than it was: a rotation cannot extend a key's life). Both keys
 * work until then, so the agent's deployment can switch over; the old one is refused after it on every node.
 */
export async function rotateAgentKey(rt: NodeContext, keyId: string, actor: string, overlapSeconds?: number, expiresInDays?: number) {
  const now = Date.now();
  const expiresAt = keyExpiry("agent_key", expiresInDays, now);
  const cred = newCredential("agent_key");
  const { result, oldHash } = await adminAction(rt, async (tx, orm) => {
    // Locked: two rotations of one key cannot both succeed.
    const old = await tx.query<{ id: string; agent_id: string; key_hash: string; expires_at: Date | null; name: string; federated_only: boolean }>(
      `SELECT k.id, k.agent_id, k.key_hash, k.expires_at, a.name, a.federated_only FROM agent_keys k JOIN agents a ON a.id = k.agent_id
        WHERE k.key_id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) FOR UPDATE OF k`,
      [keyId],
    );
    const k = old.rows[0];
    if (!k) throw notFound(`active key ${keyId}`);
    if (k.federated_only) throw new MandateError(409, "federated_only", `agent ${k.name} is federated-only: no API key can be created for it`);
    const replacedExpiresAt = overlapEnd(k.expires_at, overlapSeconds, now);
    await orm(async (db) => {
      await db.agentKey.update({ where: { id: k.id }, data: { expiresAt: replacedExpiresAt }, select: { id: true } });
      await db.agentKey.create({ data: { id: randomUUID(), agentId: k.agent_id, keyId: cred.keyId, keyHash: cred.hash, expiresAt }, select: { id: true } });
    });
    return {
      result: {
        oldHash: k.key_hash,
        result: {
          agent: { id: k.agent_id, name: k.name },
          keyId: cred.keyId,
          apiKey: cred.secret,
          expiresAt,
          replaces: { keyId, expiresAt: replacedExpiresAt },
        },
      },
      audit: KEY_ROTATE_ENTRY.entry({
        action: "key.rotate",
        actor,
        agent_id: k.agent_id,
        data: {
          agent_id: k.agent_id,
          name: k.name,
          key_id: cred.keyId,
          expires_at: expiresAt.toISOString(),
          replaces: keyId,
          replaced_expires_at: replacedExpiresAt.toISOString(),
        },
      }),
    };
  });
  await rt.applyChange("agent_keys", oldHash);
  return result;
}

export async function revokeAgentKey(rt: NodeContext, keyId: string, actor: string) {
  const hash = await adminAction(rt, async (_tx, orm) => {
    const [k] = await orm((db) =>
      db.agentKey.updateManyAndReturn({ where: { keyId, revokedAt: null }, data: { revokedAt: new Date() }, select: { agentId: true, keyHash: true } }),
    );
    if (!k) throw notFound(`active key ${keyId}`);
    return { result: k.keyHash, audit: KEY_REVOKE_ENTRY.entry({ action: "key.revoke", actor, agent_id: k.agentId, data: { key_id: keyId } }) };
  });
  await rt.applyChange("agent_keys", hash);
  return null;
}

export async function setAgentSuspended(rt: NodeContext, agentRefText: string, suspended: boolean, reason: string | null, actor: string) {
  const agent = await adminAction(rt, async (_tx, orm) => {
    const [a] = await orm((db) =>
      db.agent.updateManyAndReturn({
        where: agentRef(agentRefText),
        data: { suspendedAt: suspended ? new Date() : null, suspendedReason: suspended ? reason : null },
        select: { id: true, name: true },
      }),
    );
    if (!a) throw notFound(`agent ${agentRefText}`);
    const { id, name } = a;
    return {
      result: { id, name },
      audit: AGENT_SUSPEND_ENTRY.entry({ action: suspended ? "agent.suspend" : "agent.unsuspend", actor, agent_id: id, data: { agent_id: id, name, reason } }),
    };
  });
  await rt.applyChange("agents", agent.id);
  return agent;
}

/** Gives an agent an owner (an enabled user's email), or none (null); audited with the previous owner. */
export async function setAgentOwner(rt: NodeContext, agentRefText: string, ownerEmail: string | null, actor: string) {
  const agent = await adminAction(rt, async (_tx, orm) => {
    const r = await orm(async (db) => {
      const found = await db.agent.findFirst({ where: agentRef(agentRefText), select: { id: true, name: true, owner: { select: { email: true } } } });
      if (!found) throw notFound(`agent ${agentRefText}`);
      let ownerId: string | null = null;
      if (ownerEmail !== null) {
        const u = await db.user.findUnique({ where: { email: ownerEmail.toLowerCase() }, select: { id: true, disabledAt: true } });
        if (!u) throw new MandateError(400, "invalid_owner", `no user with email ${ownerEmail}`);
        if (u.disabledAt) throw new MandateError(400, "invalid_owner", `${ownerEmail} is disabled: choose an active user`);
        ownerId = u.id;
      }
      await db.agent.update({ where: { id: found.id }, data: { ownerId }, select: { id: true } });
      return found;
    });
    const data = { agent_id: r.id, name: r.name, owner: ownerEmail?.toLowerCase() ?? null, before: r.owner?.email ?? null };
    return { result: { id: r.id, name: r.name, owner: data.owner }, audit: AGENT_OWNER_ENTRY.entry({ action: "agent.owner", actor, agent_id: r.id, data }) };
  });
  await rt.applyChange("agents", agent.id);
  return agent;
}
