/**
 * Policy sets: validate, save a draft, publish (active or shadow), roll back, end or promote a shadow —
 * per policy store — and, for the MCP store, run test cases and the what-if replay of recorded
 * decisions through a text, and the retention of real argument values for replay. The console's
 * policy editor calls these (components/api/call-api.ts); the CLI calls the same lib/ functions.
 */
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { loadAgents, loadTools } from "../../policy/directory.ts";
import { MCP_STORE_ID, publishPolicy, rollbackPolicy, saveDraft, validateForStore } from "../../policy/publish.ts";
import { guardTestResults } from "../../policy/publish-guard.ts";
import { replayDecisions, type ReplayOptions } from "../../policy/replay.ts";
import { replayPage } from "../../policy/replay-cache.ts";
import { exportCsvHeader, exportCsvLine, exportNdjsonLine, GROUP_BY } from "../../policy/replay-results.ts";
import { preparePolicy } from "../../policy/simulate.ts";
import { MAX_RETENTION_DAYS, setReplayRetentionDays } from "../../policy/replay-values.ts";
import { endShadow, promoteShadow } from "../../policy/shadow.ts";
import { policyTestSuite, runPolicyTests } from "../../policy/tests.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

const TAG = "Policy";
const text = z
  .string()
  .min(1, "the policy set is empty")
  .max(512 * 1024, "the policy set is over 512 KiB");
const note = z.string().max(2000).optional();
const publishBody = z
  .object({
    text,
    note,
    mode: z.enum(["active", "shadow"]).default("active"),
    tests: policyTestSuite.optional(),
    override_note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();
const draftBody = z.object({ text, note, tests: policyTestSuite.optional() }).strict();
const empty = z.object({}).strict();
// A replay's window and bounds; `to` pins the window's end, so that a page or an export of an earlier replay reads the same decisions.
const replayWindow = {
  text,
  days: z.number().int().min(1).max(90),
  to: z.iso
    .datetime({ offset: true })
    .refine((s) => Date.parse(s) <= Date.now() + 60_000, "the window cannot end in the future")
    .optional(),
  max_decisions: z.number().int().min(1).max(1_000_000).optional(),
  max_seconds: z.number().int().min(1).max(300).optional(),
  filter: z
    .object({ by: z.enum(GROUP_BY), value: z.string().max(2000) })
    .strict()
    .optional(),
};
type ReplayWindow = z.infer<z.ZodObject<typeof replayWindow>>;
const windowOptions = (b: ReplayWindow): ReplayOptions => ({
  days: b.days,
  now: b.to ? new Date(b.to) : undefined,
  maxDecisions: b.max_decisions,
  maxSeconds: b.max_seconds,
  filter: b.filter,
});
const MCP = `/api/v1/policies/${MCP_STORE_ID}`;

/** Resolves once the response has room again (or the client has gone). */
function drained(res: ServerResponse): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

export const policyRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/validate",
    auth: "user",
    roles: ["admin", "analyst", "viewer"],
    body: z.object({ text }).strict(),
    tag: TAG,
    summary: "Validate a policy set against the store's schema",
    handler: ({ params, body }) => validateForStore(params.store, body.text),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/publish",
    auth: "user",
    roles: ["admin"],
    body: publishBody,
    tag: TAG,
    summary: "Publish a policy set (active or shadow)",
    handler: async ({ rt, params, body, user }) =>
      reply({
        status: 201,
        body: await publishPolicy(rt, params.store, body.text, actorOf(user), {
          mode: body.mode,
          note: body.note,
          tests: body.tests,
          overrideNote: body.override_note,
        }),
      }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/drafts",
    auth: "user",
    roles: ["admin"],
    body: draftBody,
    tag: TAG,
    summary: "Save a policy set and its test cases as a draft version (not validated, not in force)",
    handler: async ({ rt, params, body, user }) =>
      reply({ status: 201, body: await saveDraft(rt, params.store, body.text, actorOf(user), { note: body.note, tests: body.tests }) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/rollback",
    auth: "user",
    roles: ["admin"],
    body: z.object({ version: z.number().int().min(1), reason: z.string().trim().min(1, "say why (it is audited)").max(2000) }).strict(),
    tag: TAG,
    summary: "Make an earlier version active again (it must still validate); the reason is audited",
    handler: ({ rt, params, body, user }) => rollbackPolicy(rt, params.store, body.version, actorOf(user), body.reason),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/shadow/end",
    auth: "user",
    roles: ["admin"],
    body: empty,
    tag: TAG,
    summary: "Stop evaluating the shadow version",
    handler: ({ rt, params, user }) => endShadow(rt, params.store, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/policies/:store/shadow/promote",
    auth: "user",
    roles: ["admin"],
    body: empty,
    tag: TAG,
    summary: "Publish the shadow version as the active one and end shadow mode",
    handler: ({ rt, params, user }) => promoteShadow(rt, params.store, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: `${MCP}/tests`,
    auth: "user",
    roles: ["admin", "analyst"],
    body: z.object({ text, tests: policyTestSuite }).strict(),
    tag: TAG,
    summary: "Run test cases against a policy text (nothing is saved)",
    handler: async ({ body }) => {
      const [agents, tools] = await Promise.all([loadAgents(), loadTools()]);
      return { results: runPolicyTests(body.text, body.tests, { tools, agents: new Map(agents.map((a) => [a.name, a])) }) };
    },
  }),
  defineRoute({
    method: "POST",
    path: `${MCP}/publish-check`,
    auth: "user",
    roles: ["admin", "analyst"],
    body: z.object({ text, tests: policyTestSuite.optional() }).strict(),
    tag: TAG,
    summary: "The stored test cases an active publish of this text would run, and their results (nothing is saved)",
    handler: async ({ body }) => {
      const tests = await guardTestResults(MCP_STORE_ID, body.text, body.tests);
      return { tests, failing: tests.filter((t) => !t.pass).map((t) => t.name) };
    },
  }),
  defineRoute({
    method: "POST",
    path: `${MCP}/replay`,
    auth: "user",
    roles: ["admin", "analyst"],
    body: z
      .object({ ...replayWindow, offset: z.number().int().min(0).max(1_000_000).optional(), limit: z.number().int().min(0).max(1000).optional() })
      .strict(),
    tag: TAG,
    summary: "What-if replay: the recorded decisions of the last days through a policy text (nothing is enforced or stored); one page of the changes",
    handler: ({ body }) => replayPage(body.text, { ...windowOptions(body), offset: body.offset, limit: body.limit }),
  }),
  defineRoute({
    method: "POST",
    path: `${MCP}/replay/export`,
    auth: "user",
    roles: ["admin", "analyst"],
    body: z.object({ ...replayWindow, format: z.enum(["csv", "ndjson"]) }).strict(),
    tag: TAG,
    summary: "Every change of a what-if replay as a CSV or NDJSON download (same window, bounds and filter as the replay)",
    handler: async ({ body }) => {
      preparePolicy(body.text); // a text that does not parse is a 422 before anything is sent
      const csv = body.format === "csv";
      const end = body.to ? new Date(body.to) : new Date();
      const name = `replay-${end.toISOString().replace(/[:.]/g, "-")}.${body.format}`;
      return reply({
        headers: {
          "Content-Type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
          "Content-Disposition": `attachment; filename="${name}"`,
          "Cache-Control": "no-store",
        },
        stream: async (res) => {
          if (csv) res.write(exportCsvHeader());
          await replayDecisions(body.text, {
            ...windowOptions(body),
            now: end,
            limit: 0,
            onChange: (i) => void res.write(csv ? exportCsvLine(i) : exportNdjsonLine(i)),
            afterPage: () => drained(res),
          });
        },
      });
    },
  }),
  defineRoute({
    method: "POST",
    path: `${MCP}/replay-retention`,
    auth: "user",
    roles: ["admin"],
    body: z.object({ days: z.number().int().min(0).max(MAX_RETENTION_DAYS) }).strict(),
    tag: TAG,
    summary: "Set how many days real argument values are kept (encrypted) for replay; 0 keeps none",
    handler: ({ rt, body, user }) => setReplayRetentionDays(rt, body.days, actorOf(user)),
  }),
];
