import type { AgentKey } from "../db/generated/client.ts";
import { db } from "../db/prisma.ts";
import { flagsOf, NEAR_EXPIRY_DAYS, UNUSED_DAYS, type AgentFlag } from "./agents-list.ts";
import { iso } from "./format.ts";

export interface AgentKeyRow {
  keyId: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** The client address of the key's last use (recorded at most once a minute). */
  lastUsedFrom: string | null;
  status: "active" | "revoked" | "expired";
  flags: Array<"near_expiry" | "unused">;
}

export interface AgentDetail {
  id: string;
  name: string;
  owner: string | null;
  team: string | null;
  description: string | null;
  environment: string | null;
  suspended: { at: string; reason: string | null } | null;
  createdAt: string;
  lastSeenAt: string | null;
  flags: AgentFlag[];
  keys: AgentKeyRow[];
  /** No static key can be created for it (workload identity federation only). */
  federatedOnly: boolean;
  /** Its trust rules (docs/federation.md), oldest first, each with the access tokens it admitted that are still valid. */
  trust: TrustRuleRow[];
}

export interface TrustRuleRow {
  id: string;
  issuer: string;
  subject: string;
  claims: Record<string, string>;
  audience: string | null;
  jwksUrl: string | null;
  createdAt: string;
  createdBy: string;
  liveTokens: number;
}

const DAY = 86_400_000;

export function keyStatus(k: Pick<AgentKey, "revokedAt" | "expiresAt" | "createdAt" | "lastUsedAt">, now = Date.now()): Pick<AgentKeyRow, "status" | "flags"> {
  if (k.revokedAt) return { status: "revoked", flags: [] };
  const exp = k.expiresAt ? k.expiresAt.getTime() : null;
  if (exp !== null && exp <= now) return { status: "expired", flags: [] };
  const flags: AgentKeyRow["flags"] = [];
  if (exp !== null && exp - now < NEAR_EXPIRY_DAYS * DAY) flags.push("near_expiry");
  const lastUse = k.lastUsedAt ? k.lastUsedAt.getTime() : null;
  if (now - k.createdAt.getTime() > UNUSED_DAYS * DAY && (lastUse === null || now - lastUse > UNUSED_DAYS * DAY)) flags.push("unused");
  return { status: "active", flags };
}

export async function getAgent(name: string): Promise<AgentDetail | null> {
  const a = await db().agent.findUnique({
    where: { name },
    include: {
      owner: { select: { email: true } },
      keys: {
        select: { keyId: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true, lastUsedFrom: true },
        orderBy: { createdAt: "desc" },
      },
      trustRules: {
        select: { id: true, issuer: true, subject: true, claims: true, audience: true, jwksUrl: true, createdAt: true, createdBy: true },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!a) return null;
  const keys = a.keys.map((x) => ({
    keyId: x.keyId,
    createdAt: iso(x.createdAt)!,
    expiresAt: iso(x.expiresAt),
    revokedAt: iso(x.revokedAt),
    lastUsedAt: iso(x.lastUsedAt),
    lastUsedFrom: x.lastUsedFrom,
    ...keyStatus(x),
  }));
  const live = a.trustRules.length
    ? await db().agentAccessToken.groupBy({ by: ["trustRuleId"], where: { agentId: a.id, expiresAt: { gt: new Date() } }, _count: { _all: true } })
    : [];
  const trust = a.trustRules.map((r) => ({
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    claims: r.claims as Record<string, string>,
    audience: r.audience,
    jwksUrl: r.jwksUrl,
    createdAt: iso(r.createdAt)!,
    createdBy: r.createdBy,
    liveTokens: live.find((l) => l.trustRuleId === r.id)?._count._all ?? 0,
  }));
  const active = keys.filter((x) => x.status === "active");
  return {
    id: a.id,
    name: a.name,
    owner: a.owner?.email ?? null,
    team: a.team,
    description: a.description,
    environment: a.environment,
    suspended: a.suspendedAt ? { at: iso(a.suspendedAt)!, reason: a.suspendedReason } : null,
    createdAt: iso(a.createdAt)!,
    lastSeenAt: iso(a.lastSeenAt),
    flags: flagsOf({
      owner_id: a.ownerId,
      suspended_at: a.suspendedAt,
      active: active.length,
      near_expiry: active.some((x) => x.flags.includes("near_expiry")),
      unused: active.some((x) => x.flags.includes("unused")),
    }),
    keys,
    federatedOnly: a.federatedOnly,
    trust,
  };
}

export async function userEmails(): Promise<string[]> {
  const users = await db().user.findMany({ where: { disabledAt: null }, select: { email: true }, orderBy: { email: "asc" }, take: 1000 });
  return users.map((x) => x.email);
}
