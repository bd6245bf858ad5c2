"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/app/auth";
import { actorOf, toResult } from "@/lib/console/action-result";
import { parseTestsJson, policyText } from "@/lib/console/policy-input";
import { loadAgents, loadTools } from "@/lib/policy/directory";
import { MCP_STORE_ID, publishPolicy, rollbackPolicy, saveDraft, validateForStore } from "@/lib/policy/publish";
import { replayDecisions } from "@/lib/policy/replay";
import { setReplayRetentionDays } from "@/lib/policy/replay-values";
import { endShadow, promoteShadow } from "@/lib/policy/shadow";
import { runPolicyTests } from "@/lib/policy/tests";
import { runtime } from "@/lib/runtime/runtime";

const note = z.string().trim().max(2000).optional();

/** Live validation of the editor's text against the generated schema (any signed-in user). */
export async function validatePolicyAction(text: unknown) {
  await requireUser();
  return toResult(() => validateForStore(MCP_STORE_ID, policyText.parse(text)));
}

export async function saveDraftAction(input: { text: unknown; tests: unknown; note?: unknown }) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const r = await saveDraft(runtime(), MCP_STORE_ID, policyText.parse(input.text), actorOf(user), { tests: parseTestsJson(input.tests), note: note.parse(input.note) });
    revalidatePath("/policies", "layout");
    return r;
  });
}

/** Publishes (active or shadow). publishPolicy validates first: an invalid set is never published. */
export async function publishPolicyAction(input: { text: unknown; tests: unknown; note?: unknown; mode: unknown }) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const mode = z.enum(["active", "shadow"]).parse(input.mode);
    const r = await publishPolicy(runtime(), MCP_STORE_ID, policyText.parse(input.text), actorOf(user), { mode, tests: parseTestsJson(input.tests), note: note.parse(input.note) });
    revalidatePath("/policies", "layout");
    return r;
  });
}

export async function rollbackPolicyAction(version: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const r = await rollbackPolicy(runtime(), MCP_STORE_ID, z.coerce.number().int().min(1).parse(version), actorOf(user));
    revalidatePath("/policies", "layout");
    return r;
  });
}

export async function runPolicyTestsAction(input: { text: unknown; tests: unknown }) {
  await requireUser(["admin", "analyst"]);
  return toResult(async () => {
    const cases = parseTestsJson(input.tests);
    const [agents, tools] = await Promise.all([loadAgents(), loadTools()]);
    return runPolicyTests(policyText.parse(input.text), cases, { tools, agents: new Map(agents.map((a) => [a.name, a])) });
  });
}

/** What-if replay of the last N days of decisions through the editor's text. */
export async function replayAction(input: { text: unknown; days: unknown }) {
  await requireUser(["admin", "analyst"]);
  return toResult(() => replayDecisions(policyText.parse(input.text), { days: z.coerce.number().int().min(1).max(90).parse(input.days) }));
}

export async function setReplayRetentionAction(days: unknown) {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const r = await setReplayRetentionDays(runtime(), z.coerce.number().int().min(0).max(90).parse(days), actorOf(user));
    revalidatePath("/policies");
    return r;
  });
}

export async function endShadowAction() {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const r = await endShadow(runtime(), MCP_STORE_ID, actorOf(user));
    revalidatePath("/policies", "layout");
    return r;
  });
}

export async function promoteShadowAction() {
  const user = await requireUser(["admin"]);
  return toResult(async () => {
    const r = await promoteShadow(runtime(), MCP_STORE_ID, actorOf(user));
    revalidatePath("/policies", "layout");
    return r;
  });
}
