"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/app/auth";
import { actorOf, toResult } from "@/lib/console/action-result";
import { createApiToken, revokeApiToken } from "@/lib/identity/users";
import { runtime } from "@/lib/runtime/runtime";

const tokenInput = z.object({
  name: z.string().trim().min(1, "give the token a name (where it is used)").max(100),
  days: z.coerce.number().int().min(1).max(365, "tokens expire within a year"),
});

/** A personal API token of the signed-in user (acts with their role); shown once. */
export async function createTokenAction(input: unknown) {
  const user = await requireUser();
  return toResult(async () => {
    const t = tokenInput.parse(input);
    const r = await createApiToken(runtime(), user.id, t.name, actorOf(user), t.days);
    revalidatePath("/account");
    return { keyId: r.keyId, secret: r.secret, expiresAt: r.expiresAt?.toISOString() ?? null };
  });
}

/** Revokes one of the signed-in user's own tokens. */
export async function revokeTokenAction(keyId: unknown) {
  const user = await requireUser();
  return toResult(async () => {
    await revokeApiToken(runtime(), z.string().min(1).max(100).parse(keyId), actorOf(user), user.id);
    revalidatePath("/account");
    return null;
  });
}
