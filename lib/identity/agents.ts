/**
 * Agents (non-human identities) and their API keys. Keys are shown once; only hashes are stored.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import { newCredential } from "../crypto/keys.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { AGENT_CREATE_ENTRY, AGENT_SUSPEND_ENTRY, KEY_CREATE_ENTRY, KEY_REVOKE_ENTRY } from "../audit/entries/index.ts";

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

export const DEFAULT_KEY_DAYS = 90;

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
  const expiresAt = new Date(Date.now() + DEFAULT_KEY_DAYS * 86_400_000);
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

export async function createAgentKey(rt: NodeContext, agentRefText: string, actor: string, expiresInDays: number = DEFAULT_KEY_DAYS) {
  const cred = newCredential("agent_key");
  const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000);
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
