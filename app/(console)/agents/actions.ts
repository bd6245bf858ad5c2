"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/app/auth";
import { actorOf, toResult } from "@/lib/console/action-result";
import { createAgent, createAgentKey, newAgentSchema, revokeAgentKey, setAgentSuspended } from "@/lib/identity/agents";
import { runtime } from "@/lib/runtime/runtime";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const agentForm = z.preprocess(
  (v) => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blankToUndefined(x)])) : v),
  newAgentSchema,
);
const days = z.coerce.number().int().min(1, "at least 1 day").max(3650, "at most 3650 days");
const reason = z.string().trim().min(1, "say why (it is kept in the audit log)").max(2000);
const name = z.string().min(1).max(100);

/** Register an agent; its first API key is returned once. */
export async function registerAgentAction(input: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const a = await createAgent(runtime(), agentForm.parse(input), actorOf(user));
    revalidatePath("/agents");
    return { name: a.name, apiKey: a.apiKey, keyId: a.keyId, expiresAt: a.expiresAt?.toISOString() ?? null };
  });
}

export async function createKeyAction(agent: unknown, expiresInDays: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const k = await createAgentKey(runtime(), name.parse(agent), actorOf(user), days.parse(expiresInDays));
    revalidatePath("/agents", "layout");
    return { keyId: k.keyId, apiKey: k.apiKey, expiresAt: k.expiresAt.toISOString() };
  });
}

/** Revoke a key: refused on its next use, on every node. */
export async function revokeKeyAction(keyId: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    await revokeAgentKey(runtime(), z.string().min(1).max(100).parse(keyId), actorOf(user));
    revalidatePath("/agents", "layout");
    return null;
  });
}

export async function suspendAgentAction(agent: unknown, why: unknown) {
  const user = await requireUser(["admin", "analyst"]);
  return toResult(async () => {
    await setAgentSuspended(runtime(), name.parse(agent), true, reason.parse(why), actorOf(user));
    revalidatePath("/agents", "layout");
    return null;
  });
}

export async function unsuspendAgentAction(agent: unknown, why: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    await setAgentSuspended(runtime(), name.parse(agent), false, reason.parse(why), actorOf(user));
    revalidatePath("/agents", "layout");
    return null;
  });
}
