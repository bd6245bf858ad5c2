/**
 * Workload identity federation, the configuration side: which platform identities an agent trusts
 * (issuer, subject, required claims, audience) and whether it is federated-only (no static key may be
 * created for it). Admin actions, audited on the admin chain in the transaction of the change.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../../audit/admin-action.ts";
import { AGENT_FEDERATED_ONLY_ENTRY, AGENT_TRUST_ENTRY } from "../../audit/entries/index.ts";
import { db } from "../../db/prisma.ts";
import { fromZod, MandateError, notFound } from "../../errors.ts";
import type { NodeContext } from "../../runtime/runtime.ts";
import { agentRef } from "../agents.ts";
import { trustRuleInput } from "./trust-input.ts";

type TrustRuleInput = z.input<typeof trustRuleInput>;

export interface TrustRule {
  id: string;
  agent: string;
  issuer: string;
  subject: string;
  claims: Record<string, string>;
  audience: string | null;
  jwks_url: string | null;
  created_at: string;
  created_by: string;
}

type RuleRow = {
  id: string;
  issuer: string;
  subject: string;
  claims: unknown;
  audience: string | null;
  jwksUrl: string | null;
  createdAt: Date;
  createdBy: string;
};
const toRule = (agent: string, r: RuleRow): TrustRule => ({
  id: r.id,
  agent,
  issuer: r.issuer,
  subject: r.subject,
  claims: r.claims as Record<string, string>,
  audience: r.audience,
  jwks_url: r.jwksUrl,
  created_at: r.createdAt.toISOString(),
  created_by: r.createdBy,
});
const RULE_SELECT = { id: true, issuer: true, subject: true, claims: true, audience: true, jwksUrl: true, createdAt: true, createdBy: true } as const;

export async function listTrustRules(agentRefText: string): Promise<{ agent: string; federated_only: boolean; rules: TrustRule[] }> {
  const a = await db().agent.findFirst({
    where: agentRef(agentRefText),
    select: { name: true, federatedOnly: true, trustRules: { select: RULE_SELECT, orderBy: { createdAt: "asc" } } },
  });
  if (!a) throw notFound(`agent ${agentRefText}`);
  return { agent: a.name, federated_only: a.federatedOnly, rules: a.trustRules.map((r) => toRule(a.name, r)) };
}

export async function addTrustRule(rt: NodeContext, agentRefText: string, input: TrustRuleInput, actor: string): Promise<TrustRule> {
  const parsed = trustRuleInput.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const r = parsed.data;
  const id = randomUUID();
  return adminAction(rt, async (_tx, orm) => {
    const rule = await orm(async (db) => {
      const a = await db.agent.findFirst({ where: agentRef(agentRefText), select: { id: true, name: true } });
      if (!a) throw notFound(`agent ${agentRefText}`);
      const same = await db.agentTrustRule.findMany({
        where: { agentId: a.id, issuer: r.issuer, subject: r.subject, audience: r.audience ?? null, jwksUrl: r.jwks_url ?? null },
        select: { claims: true },
      });
      if (same.some((s) => sameClaims(s.claims as Record<string, string>, r.claims)))
        throw new MandateError(409, "conflict", `agent ${a.name} already trusts this identity`);
      const row = await db.agentTrustRule.create({
        data: {
          id,
          agentId: a.id,
          issuer: r.issuer,
          subject: r.subject,
          claims: r.claims,
          audience: r.audience ?? null,
          jwksUrl: r.jwks_url ?? null,
          createdBy: actor,
        },
        select: RULE_SELECT,
      });
      return { agentId: a.id, rule: toRule(a.name, row) };
    });
    return { result: rule.rule, audit: AGENT_TRUST_ENTRY.entry({ action: "agent.trust.add", actor, agent_id: rule.agentId, data: auditData(rule.rule) }) };
  });
}

/** Removes a trust rule; the access tokens it admitted are deleted with it (and so refused on every node). */
export async function removeTrustRule(
  rt: NodeContext,
  agentRefText: string,
  ruleId: string,
  actor: string,
): Promise<{ id: string; removed: true; tokens_revoked: number }> {
  if (!z.guid().safeParse(ruleId).success) throw notFound(`trust rule ${ruleId}`);
  const { rule, hashes } = await adminAction(rt, async (_tx, orm) => {
    const found = await orm(async (db) => {
      const a = await db.agent.findFirst({ where: agentRef(agentRefText), select: { id: true, name: true } });
      if (!a) throw notFound(`agent ${agentRefText}`);
      const row = await db.agentTrustRule.findFirst({ where: { id: ruleId, agentId: a.id }, select: RULE_SELECT });
      if (!row) throw notFound(`trust rule ${ruleId} of agent ${a.name}`);
      const tokens = await db.agentAccessToken.findMany({ where: { trustRuleId: ruleId }, select: { tokenHash: true } });
      await db.agentTrustRule.delete({ where: { id: ruleId }, select: { id: true } });
      return { agentId: a.id, rule: toRule(a.name, row), hashes: tokens.map((t) => t.tokenHash) };
    });
    return {
      result: found,
      audit: AGENT_TRUST_ENTRY.entry({ action: "agent.trust.remove", actor, agent_id: found.agentId, data: auditData(found.rule) }),
    };
  });
  for (const h of hashes) await rt.applyChange("agent_access_tokens", h);
  return { id: rule.id, removed: true, tokens_revoked: hashes.length };
}

/** Sets or clears federated-only; setting it revokes the agent's active static keys in the same transaction. */
export async function setFederatedOnly(rt: NodeContext, agentRefText: string, federatedOnly: boolean, actor: string) {
  const r = await adminAction(rt, async (_tx, orm) => {
    const found = await orm(async (db) => {
      const a = await db.agent.findFirst({ where: agentRef(agentRefText), select: { id: true, name: true } });
      if (!a) throw notFound(`agent ${agentRefText}`);
      await db.agent.update({ where: { id: a.id }, data: { federatedOnly }, select: { id: true } });
      const revoked = federatedOnly
        ? await db.agentKey.updateManyAndReturn({
            where: { agentId: a.id, revokedAt: null },
            data: { revokedAt: new Date() },
            select: { keyId: true, keyHash: true },
          })
        : [];
      return { ...a, revoked };
    });
    const revokedKeys = found.revoked.map((k) => k.keyId);
    return {
      result: { ...found, revokedKeys },
      audit: AGENT_FEDERATED_ONLY_ENTRY.entry({
        action: "agent.federated_only",
        actor,
        agent_id: found.id,
        data: { agent_id: found.id, name: found.name, federated_only: federatedOnly, revoked_keys: revokedKeys },
      }),
    };
  });
  await rt.applyChange("agents", r.id);
  for (const k of r.revoked) await rt.applyChange("agent_keys", k.keyHash);
  return { agent: r.name, federated_only: federatedOnly, revoked_keys: r.revokedKeys };
}

function sameClaims(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

function auditData(r: TrustRule) {
  return { rule_id: r.id, name: r.agent, issuer: r.issuer, subject: r.subject, claims: r.claims, audience: r.audience, jwks_url: r.jwks_url };
}
