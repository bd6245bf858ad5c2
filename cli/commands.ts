/**
 * The CLI's commands; each calls the same lib/ function the API and the console use.
 */
import { readFileSync } from "node:fs";
import { days, need, overlap, str, type Command } from "./args.ts";
import { sinkCommands } from "./sinks.ts";
import { inventoryCommands } from "./inventory-commands.ts";
import { agentCommands } from "./agent-commands.ts";
import { auditArchiveCommands } from "./audit-archive.ts";
import { auditVerifyCommand } from "./audit-verify.ts";
import { writeCheckpoint } from "../lib/audit/checkpoints.ts";
import { env } from "../lib/env.ts";
import { MandateError } from "../lib/errors.ts";
import { createApiToken, createUser, roleSchema, userIdByEmail } from "../lib/identity/users.ts";
import { formatProblems } from "../lib/policy/validate.ts";
import { publishPolicy, rollbackPolicy, validateForStore } from "../lib/policy/publish.ts";
import { runPolicyTestCommand } from "../lib/policy/tests-cli.ts";
import { terminateSession } from "../lib/sessions/terminate-session.ts";
import { directoryImportCommand, packLoadCommand, pepKeyCreateCommand, pepKeyRevokeCommand } from "../lib/authzen/cli.ts";
import { rotatePepKey } from "../lib/authzen/pep-keys.ts";
import { backupCommand, restoreCommand } from "./backup.ts";
import { withDatabase } from "./with-database.ts";

export type { Command } from "./args.ts";

/** `mandate report verify`: a posture report (JSON, or the HTML export) against published checkpoint keys. */
async function verifyReportFile(file: string, keysFrom: string | undefined): Promise<number> {
  const { extractReport, verifyReport } = await import("../lib/posture/report.ts");
  let report: unknown;
  try {
    report = extractReport(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  let keys: Array<{ kid: string; x: string; node?: string }>;
  if (keysFrom) {
    const text = /^https?:\/\//.test(keysFrom) ? await (await fetch(keysFrom, { signal: AbortSignal.timeout(10_000) })).text() : readFileSync(keysFrom, "utf8");
    keys = (JSON.parse(text) as { keys: typeof keys }).keys;
  } else {
    const { loadCheckpointKey } = await import("../lib/audit/checkpoints.ts");
    const own = loadCheckpointKey(env().dataDir, false);
    if (!own) throw new MandateError(400, "invalid_request", "no --keys given and no checkpoint key in the data directory");
    keys = [{ kid: own.keyId, x: String(own.publicKey.export({ format: "jwk" }).x), node: "this data directory" }];
  }
  const r = verifyReport(report, keys);
  if (!r.ok) {
    console.error(`NOT VERIFIED: ${r.reason}`);
    return 1;
  }
  const body = report as { generated_at: string; node: string; range: { from: string; to: string } };
  console.log(
    `Verified: signed by ${r.key_id}${r.node ? ` (${r.node})` : ""}; generated ${body.generated_at} by ${body.node}, range ${body.range.from} – ${body.range.to}`,
  );
  return 0;
}

export const commands: Record<string, Command> = {
  start: {
    usage: "[--dev] [--no-console]",
    summary: "Start Mandate (console + data plane; embedded PostgreSQL unless DATABASE_URL)",
    options: { dev: { type: "boolean" }, "no-console": { type: "boolean" } },
    async run({ values }) {
      const withConsole = !values["no-console"] && env().MANDATE_CONSOLE;
      const { ensureBuilt } = await import("./ensure-built.ts");
      if (!values.dev && withConsole) await ensureBuilt();
      const { start } = await import("../server/main.ts");
      await start({ dev: !!values.dev, console: withConsole });
      return await new Promise<number>(() => {}); // runs until a signal stops it
    },
  },
  migrate: {
    usage: "",
    summary: "Apply the committed database migrations",
    run: () => withDatabase(async () => (console.log("Migrations applied."), 0)),
  },
  "users create": {
    usage: "--email E --role admin|analyst|viewer [--name N]",
    summary: "Create a user (prints a one-time password)",
    options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    run: ({ values, actor }) =>
      withDatabase(async (ctx) => {
        const role = roleSchema.parse(need(str(values.role), "--role"));
        const u = await createUser(ctx, { email: need(str(values.email), "--email"), role, name: str(values.name) }, actor);
        console.log(`Created ${u.role} ${u.email}\nOne-time password: ${u.password}`);
        return 0;
      }),
  },
  "tokens create": {
    usage: "--email E [--name N] [--days 90]",
    summary: "Create a personal API token for a user (shown once)",
    options: { email: { type: "string" }, name: { type: "string" }, days: { type: "string" } },
    run: ({ values, actor }) =>
      withDatabase(async (ctx) => {
        const email = need(str(values.email), "--email").toLowerCase();
        const userId = await userIdByEmail(email);
        if (!userId) throw new MandateError(404, "not_found", `no user ${email}`);
        const t = await createApiToken(ctx, userId, str(values.name) ?? "cli", actor, days(values.days));
        console.log(`Token ${t.keyId} for ${email} (expires ${t.expiresAt.toISOString()}):\n${t.secret}`);
        return 0;
      }),
  },
  ...agentCommands,
  ...inventoryCommands,
  "report verify": {
    usage: "<report.json|report.html> [--keys <file-or-url of /.well-known/mandate-checkpoint-keys.json>]",
    summary: "Check a posture report's signature (exit 1 when it does not verify)",
    options: { keys: { type: "string" } },
    run: ({ values, positionals }) => verifyReportFile(need(positionals[0], "<file>"), str(values.keys)),
  },
  "sessions terminate": {
    usage: "<session-id> --reason R",
    summary: "Terminate a session (later decisions in it are denied)",
    options: { reason: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        await terminateSession(ctx, need(positionals[0], "<session-id>"), need(str(values.reason), "--reason"), actor);
        console.log(`Terminated ${positionals[0]}`);
        return 0;
      }),
  },
  "policy validate": {
    usage: "<file.cedar> [--store mcp]",
    summary: "Validate a policy set against the store's schema",
    options: { store: { type: "string" } },
    run: ({ values, positionals }) =>
      withDatabase(async () => {
        const file = need(positionals[0], "<file.cedar>");
        const v = await validateForStore(str(values.store) ?? "mcp", readFileSync(file, "utf8"));
        if (!v.valid) {
          console.error(formatProblems(file, v.problems));
          console.error(`${v.problems.length} problem(s): the policy set does not validate`);
          return 1;
        }
        if (v.warnings.length) console.error(formatProblems(file, v.warnings));
        console.log(`${file}: valid (${v.policyCount} policies)`);
        return 0;
      }),
  },
  "policy publish": {
    usage: "<file.cedar> [--store mcp] [--shadow] [--note N] [--override-note N]",
    summary: "Validate and publish a policy set (refused while a stored test case fails, unless --override-note says why; audited)",
    options: { store: { type: "string" }, shadow: { type: "boolean" }, note: { type: "string" }, "override-note": { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const file = need(positionals[0], "<file.cedar>");
        const text = readFileSync(file, "utf8");
        const store = str(values.store) ?? "mcp";
        const v = await validateForStore(store, text);
        if (!v.valid) {
          console.error(formatProblems(file, v.problems));
          console.error("not published: the policy set does not validate");
          return 1;
        }
        const p = await publishPolicy(ctx, store, text, actor, {
          mode: values.shadow ? "shadow" : "active",
          note: str(values.note),
          overrideNote: str(values["override-note"]),
        });
        console.log(`Published ${p.label} (${p.status})`);
        return 0;
      }),
  },
  "policy rollback": {
    usage: "<version> --reason R [--store mcp]",
    summary: "Make an earlier version active again (it must still validate); the reason is audited",
    options: { store: { type: "string" }, reason: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const version = Number(need(positionals[0], "<version>"));
        if (!Number.isInteger(version) || version < 1) throw new MandateError(400, "invalid_request", `expected a version number, got "${positionals[0]}"`);
        const r = await rollbackPolicy(ctx, str(values.store) ?? "mcp", version, actor, need(str(values.reason)?.trim(), "--reason"));
        console.log(`${r.label} is active again`);
        return 0;
      }),
  },
  "policy test": {
    usage: "[file.cedar] [--tests tests.json] [--store mcp] [--version N]",
    summary: "Run policy test cases (exit 1 if any fails): a file with --tests, or a stored version",
    options: { tests: { type: "string" }, store: { type: "string" }, version: { type: "string" } },
    run: ({ values, positionals }) =>
      withDatabase(() =>
        runPolicyTestCommand({
          file: positionals[0],
          testsFile: str(values.tests),
          store: str(values.store) ?? "mcp",
          version: str(values.version) ? Number(values.version) : undefined,
        }),
      ),
  },
  "audit verify": {
    usage: "[--since-checkpoint] [--json] [--progress] [--workers N]",
    summary: "Recompute every audit hash and check the signed checkpoints (--since-checkpoint: only after the last trusted one)",
    options: { "since-checkpoint": { type: "boolean" }, json: { type: "boolean" }, progress: { type: "boolean" }, workers: { type: "string" } },
    run: ({ values }) => {
      const workers = str(values.workers) === undefined ? undefined : Number(values.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 256))
        throw new MandateError(400, "invalid_request", "--workers must be an integer from 1 to 256");
      return withDatabase(() =>
        auditVerifyCommand({ json: !!values.json, progress: !!values.progress, sinceCheckpoint: !!values["since-checkpoint"], workers }),
      );
    },
  },
  backup: {
    usage: "<file>",
    summary: "Back up the database and the data directory's keys and checkpoints into one file, while Mandate runs",
    run: ({ positionals }) => backupCommand(need(positionals[0], "<file>")),
  },
  restore: {
    usage: "<file>",
    summary: "Restore a backup into an empty database and a fresh data directory (MANDATE_DATA_DIR or DATABASE_URL)",
    run: ({ positionals }) => restoreCommand(need(positionals[0], "<file>")),
  },
  "audit checkpoint": {
    usage: "",
    summary: "Write a signed checkpoint of every chain head now",
    run: () =>
      withDatabase(async () => {
        const cp = await writeCheckpoint(env().dataDir, { webhook: env().MANDATE_CHECKPOINT_WEBHOOK });
        console.log(`Checkpoint ${cp?.id}: ${cp?.heads.length} chain head(s)`);
        return 0;
      }),
  },
  "directory import": {
    usage: "<file.json> --store S [--replace]",
    summary: "Import directory (PIP) entities into a policy store",
    options: { store: { type: "string" }, replace: { type: "boolean" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(
        async (ctx) => (
          console.log(await directoryImportCommand(ctx, need(positionals[0], "<file.json>"), need(str(values.store), "--store"), !!values.replace, actor)),
          0
        ),
      ),
  },
  "pack load": {
    usage: "<dir> [--replace-directory]",
    summary: "Load a policy pack (stores, schemas, directories, policies; tested first)",
    options: { "replace-directory": { type: "boolean" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => (console.log(await packLoadCommand(ctx, need(positionals[0], "<dir>"), !!values["replace-directory"], actor)), 0)),
  },
  "pep-keys create": {
    usage: "--store S [--name N] [--days 365]",
    summary: "Create an AuthZEN PEP key bound to a policy store (shown once)",
    options: { store: { type: "string" }, name: { type: "string" }, days: { type: "string" } },
    run: ({ values, actor }) =>
      withDatabase(
        async (ctx) => (
          console.log(await pepKeyCreateCommand(ctx, need(str(values.store), "--store"), str(values.name) ?? "pep", days(values.days), actor)),
          0
        ),
      ),
  },
  "pep-keys rotate": {
    usage: "<key-id> [--overlap 86400] [--days 365]",
    summary: "Rotate an AuthZEN PEP key: prints the new key once; the old one works --overlap more seconds",
    options: { overlap: { type: "string" }, days: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const r = await rotatePepKey(ctx, need(positionals[0], "<key-id>"), actor, overlap(values.overlap), days(values.days));
        console.log(
          `PEP key ${r.key_id} for store ${r.store} (expires ${r.expires_at})\n${r.replaces.key_id} now expires ${r.replaces.expires_at}\nshown once:\n${r.key}`,
        );
        return 0;
      }),
  },
  "pep-keys revoke": {
    usage: "<key-id>",
    summary: "Revoke an AuthZEN PEP key (mnd_pep_…)",
    run: ({ positionals, actor }) => withDatabase(async (ctx) => (console.log(await pepKeyRevokeCommand(ctx, need(positionals[0], "<key-id>"), actor)), 0)),
  },
  ...sinkCommands,
  ...auditArchiveCommands,
};
