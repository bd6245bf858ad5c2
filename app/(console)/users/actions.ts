"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/app/auth";
import { actorOf, toResult } from "@/lib/console/action-result";
import { changeDisabled, changeRole } from "@/lib/console/users-admin";
import { createUser, roleSchema } from "@/lib/identity/users";
import { runtime } from "@/lib/runtime/runtime";

const newUser = z.object({
  email: z.string().trim().email("enter a valid email address"),
  name: z.string().trim().max(200).optional().transform((v) => v || undefined),
  role: roleSchema,
});
const id = z.string().uuid();

/** Creates a user with a one-time password (shown once) to hand over. */
export async function createUserAction(input: unknown) {
  const admin = await requireUser(["admin"]);
  return toResult(async () => {
    const u = await createUser(runtime(), newUser.parse(input), actorOf(admin));
    revalidatePath("/users");
    return { email: u.email, role: u.role, password: u.password };
  });
}

export async function setRoleAction(userId: unknown, role: unknown) {
  const admin = await requireUser(["admin"]);
  return toResult(async () => {
    await changeRole(runtime(), admin.id, id.parse(userId), roleSchema.parse(role), actorOf(admin));
    revalidatePath("/users");
    return null;
  });
}

export async function setDisabledAction(userId: unknown, disabled: unknown) {
  const admin = await requireUser(["admin"]);
  return toResult(async () => {
    await changeDisabled(runtime(), admin.id, id.parse(userId), z.boolean().parse(disabled), actorOf(admin));
    revalidatePath("/users");
    return null;
  });
}
