"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/app/auth";
import { actorOf, toResult } from "@/lib/console/action-result";
import { approveTool, classificationEdit, rejectTool, setToolBlocked } from "@/lib/inventory/tools-admin";
import { runtime } from "@/lib/runtime/runtime";

const why = z.string().trim().min(1, "say why (it is kept in the audit log)").max(2000);
const ref = z.object({ server: z.string().min(1).max(200), name: z.string().min(1).max(200) });

/** Approve a tool, or save an edited classification of an approved one (admin). */
export async function approveToolAction(server: string, name: string, edit: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const t = ref.parse({ server, name });
    const e = classificationEdit.extend({ note: why }).parse(edit);
    const r = await approveTool(runtime(), t.server, t.name, e, actorOf(user));
    revalidatePath("/tools", "layout");
    return r;
  });
}

export async function rejectToolAction(server: string, name: string, note: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const t = ref.parse({ server, name });
    const r = await rejectTool(runtime(), t.server, t.name, why.parse(note), actorOf(user));
    revalidatePath("/tools", "layout");
    return r;
  });
}

/** Block a tool at once on every node (admin or analyst, as the API allows). */
export async function blockToolAction(server: string, name: string, reason: unknown) {
  const user = await requireUser(["admin", "analyst"]);
  return toResult(async () => {
    const t = ref.parse({ server, name });
    const r = await setToolBlocked(runtime(), t.server, t.name, true, why.parse(reason), actorOf(user));
    revalidatePath("/tools", "layout");
    return r;
  });
}

export async function unblockToolAction(server: string, name: string, reason: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const t = ref.parse({ server, name });
    const r = await setToolBlocked(runtime(), t.server, t.name, false, why.parse(reason), actorOf(user));
    revalidatePath("/tools", "layout");
    return r;
  });
}
