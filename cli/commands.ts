/**
 * The CLI's commands; each calls the same lib/ function the API and the console use.
 */
import { readFileSync } from "node:fs";
import { need, str, type Command, type CommandInput } from "./args.ts";
import { sinkCommands } from "./sinks.ts";
import { auditArchiveCommands } from "./audit-archive.ts";
import { auditVerifyCommand } from "./audit-verify.ts";
import { writeCheckpoint } from "../lib/audit/checkpoints.ts";
import { env } from "../lib/env.ts";
import { MandateError } from "../lib/errors.ts";
import { createAgent, createAgentKey, revokeAgentKey, rotateAgentKey, setAgentSuspended } from "../lib/identity/agents.ts";
import { addTrustRule, listTrustRules, removeTrustRule, setFederatedOnly } from "../lib/identity/federation/trust.ts";
import { createApiToken, createUser, roleSchema, userIdByEmail } from "../lib/identity/users.ts";
import { approveTool, detectorsOffEdit, parseToolRef, setDetectorsOff, setToolBlocked } from "../lib/inventory/tools-admin.ts";
import { formatProblems } from "../lib/policy/validate.ts";
import { publishPolicy, rollbackPolicy, validateForStore } from "../lib/policy/publish.ts";
import { runPolicyTestCommand } from "../lib/policy/tests-cli.ts";
import { terminateSession } from "../lib/sessions/terminate-session.ts";
import { directoryImportCommand, packLoadCommand, pepKeyCreateCommand, pepKeyRevokeCommand } from "../lib/authzen/cli.ts";
import { rotatePepKey } from "../lib/authzen/pep-keys.ts";
import { backupCommand, restoreCommand } from "./backup.ts";
import { withDatabase } from "./with-database.ts";

export type { Command } from "./args.ts";

/** `--days N`: a whole number (the lifetime's bounds are checked where the key is made); absent: the default. */
function days(v: string | boolean | undefined): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^\d{1,5}$/.test(s)) throw new MandateError(400, "invalid_request", `--days must be a whole number of days, not ${s}`);
  return Number(s);
}
/** `--overlap S`: seconds both keys of a rotation work (bounds checked where the key is rotated). */
function overlap(v: string | boolean | undefined): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^\d{1,7}$/.test(s)) throw new MandateError(400, "invalid_request", `--overlap must be a whole number of seconds, not ${s}`);
  return Number(s);
}

/** `<server>/<tool>`: a tool, never a resource or prompt (their commands are `mandate resources|prompts …`). */
function toolRef(v: string | undefined): { server: string; name: string } {
  const ref = parseToolRef(need(v, "<server>/<tool>"));
  if (ref.name.includes(":")) throw new MandateError(400, "invalid_tool", `"${ref.name}" is not a tool name: use mandate resources … or mandate prompts …`);
  return ref;
}

/** A resource's inventory name: a URI or a URI template, which always has a scheme (item-key.ts). */
function resourceName(v: string | undefined): string {
  const name = need(v, "<uri-or-template>");
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(name)) throw new MandateError(400, "invalid_request", `expected a URI or URI template with a scheme, got "${name}"`);
  return name;
}

/** Approves an inventory item by its server and the rest of its key (a tool's name, a resource's URI or template, `prompt:<name>`). */
function approveItem({ values, actor }: CommandInput, server: string, rest: string): Promise<number> {
  return withDatabase(async (ctx) => {
    const labels = str(values.labels)
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const t = await approveTool(
      ctx,
      server,
      rest,
      { effect: str(values.effect) as never, risk: str(values.risk) as never, labels, note: str(values.note) },
      actor,
    );
    console.log(`Approved ${server}/${rest}: ${t.effect}/${t.risk}${t.labels.length ? ` [${t.labels.join(", ")}]` : ""}`);
    return 0;
  });
}

function blockItem({ values, actor }: CommandInput, server: string, rest: string, blocked: boolean): Promise<number> {
  return withDatabase(async (ctx) => {
    await setToolBlocked(ctx, server, rest, blocked, need(str(values.reason), "--reason"), actor);
    console.log(`${blocked ? "Blocked" : "Unblocked"} ${server}/${rest}`);
    return 0;
  });
}

/** `--detectors-off a,b` (detector or label names; `none` or "" turns every detector back on) for an item, or a server (`rest` null). */
function setItemDetectors({ values, actor }: CommandInput, server: string, rest: string | null): Promise<number> {
  const raw = str(values["detectors-off"]);
  if (raw === undefined) throw new MandateError(400, "invalid_request", "missing --detectors-off <names> (none turns every detector back on)");
  const names =
    raw === "none"
      ? []
      : raw
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
  const edit = detectorsOffEdit.safeParse({ detectors_off: names, ...(str(values.note) ? { note: str(values.note) } : {}) });
  if (!edit.success) throw new MandateError(400, "invalid_request", edit.error.issues.map((i) => i.message).join("; "));
  return withDatabase(async (ctx) => {
    const r = await setDetectorsOff(ctx, server, rest, edit.data, actor);
    const what = rest === null ? `every item of ${server}` : `${server}/${rest}`;
    console.log(r.detectors_off.length ? `Detectors off for ${what}: ${r.detectors_off.join(", ")}` : `Every detector on for ${what}`);
    return 0;
  });
}
const DETECTOR_OPTIONS = { "detectors-off": { type: "string" }, note: { type: "string" } } as const;

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
  "agents create": {
    usage: "--name N [--owner EMAIL] [--team T] [--description D] [--federated-only]",
    summary: "Register an agent (prints its API key once; none when federated-only)",
    options: {
      name: { type: "string" },
      owner: { type: "string" },
      team: { type: "string" },
      description: { type: "string" },
      "federated-only": { type: "boolean" },
    },
    run: ({ values, actor }) =>
      withDatabase(async (ctx) => {
        const a = await createAgent(
          ctx,
          {
            name: need(str(values.name), "--name"),
            owner: str(values.owner),
            team: str(values.team),
            description: str(values.description),
            federated_only: values["federated-only"] === true || undefined,
          },
          actor,
        );
        if (!a.apiKey) console.log(`Created federated-only agent ${a.name} (${a.id}): add a trust rule with mandate agents trust add`);
        else console.log(`Created agent ${a.name} (${a.id})\nKey id: ${a.keyId}\nAPI key (shown once): ${a.apiKey}`);
        return 0;
      }),
  },
  "agents key": {
    usage: "<agent> [--days 90]",
    summary: "Create another API key for an agent",
    options: { days: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const k = await createAgentKey(ctx, need(positionals[0], "<agent>"), actor, days(values.days));
        console.log(`Key id: ${k.keyId}\nAPI key (shown once): ${k.apiKey}`);
        return 0;
      }),
  },
  "agents suspend": {
    usage: "<agent> --reason R",
    summary: "Suspend an agent (every node, next request)",
    options: { reason: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const a = await setAgentSuspended(ctx, need(positionals[0], "<agent>"), true, need(str(values.reason), "--reason"), actor);
        console.log(`Suspended ${a.name}`);
        return 0;
      }),
  },
  "agents unsuspend": {
    usage: "<agent> --reason R",
    summary: "Lift an agent's suspension",
    options: { reason: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const a = await setAgentSuspended(ctx, need(positionals[0], "<agent>"), false, need(str(values.reason), "--reason"), actor);
        console.log(`Unsuspended ${a.name}`);
        return 0;
      }),
  },
  "agents trust add": {
    usage: "<agent> --issuer ISS --subject SUB [--claim k=v]... [--audience AUD] [--jwks-url URL]",
    summary: "Trust a platform identity for an agent (workload identity federation)",
    options: {
      issuer: { type: "string" },
      subject: { type: "string" },
      claim: { type: "string", multiple: true },
      audience: { type: "string" },
      "jwks-url": { type: "string" },
    },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const claims: Record<string, string> = {};
        for (const c of (values.claim as unknown as string[] | undefined) ?? []) {
          const i = c.indexOf("=");
          if (i < 1) throw new MandateError(400, "invalid_request", `--claim ${c}: expected name=value`);
          const k = c.slice(0, i);
          if (Object.hasOwn(claims, k)) throw new MandateError(400, "invalid_request", `--claim ${k} is given twice`);
          claims[k] = c.slice(i + 1);
        }
        const r = await addTrustRule(
          ctx,
          need(positionals[0], "<agent>"),
          {
            issuer: need(str(values.issuer), "--issuer"),
            subject: need(str(values.subject), "--subject"),
            claims,
            audience: str(values.audience),
            jwks_url: str(values["jwks-url"]),
          },
          actor,
        );
        console.log(`Trust rule ${r.id}: agent ${r.agent} trusts ${r.subject} from ${r.issuer}`);
        return 0;
      }),
  },
  "agents trust list": {
    usage: "<agent>",
    summary: "An agent's trust rules (workload identity federation)",
    run: ({ positionals }) =>
      withDatabase(async () => {
        const t = await listTrustRules(need(positionals[0], "<agent>"));
        console.log(`Agent ${t.agent}${t.federated_only ? " (federated-only)" : ""}: ${t.rules.length} trust rule(s)`);
        for (const r of t.rules) {
          const claims = Object.entries(r.claims).map(([k, v]) => ` ${k}=${v}`);
          console.log(
            `${r.id}  ${r.issuer}  ${r.subject}  aud=${r.audience ?? "(Mandate's URL)"}${claims.join("")}${r.jwks_url ? `  jwks=${r.jwks_url}` : ""}`,
          );
        }
        return 0;
      }),
  },
  "agents trust remove": {
    usage: "<agent> <rule-id>",
    summary: "Remove a trust rule (revokes the access tokens it admitted)",
    run: ({ positionals, actor }) =>
      withDatabase(async (ctx) => {
        const r = await removeTrustRule(ctx, need(positionals[0], "<agent>"), need(positionals[1], "<rule-id>"), actor);
        console.log(`Removed trust rule ${r.id} (${r.tokens_revoked} access token(s) revoked)`);
        return 0;
      }),
  },
  "agents federated-only": {
    usage: "<agent> on|off",
    summary: "Federated-only: no static key for the agent (on revokes its keys)",
    run: ({ positionals, actor }) =>
      withDatabase(async (ctx) => {
        const v = need(positionals[1], "on|off");
        if (v !== "on" && v !== "off") throw new MandateError(400, "invalid_request", "expected on or off");
        const r = await setFederatedOnly(ctx, need(positionals[0], "<agent>"), v === "on", actor);
        console.log(
          `Agent ${r.agent} is ${r.federated_only ? "federated-only" : "no longer federated-only"}${r.revoked_keys.length ? `; revoked ${r.revoked_keys.join(", ")}` : ""}`,
        );
        return 0;
      }),
  },
  "keys rotate": {
    usage: "<key-id> [--overlap 86400] [--days 90]",
    summary: "Rotate an agent API key: prints the new key once; the old one works --overlap more seconds (at most 604800)",
    options: { overlap: { type: "string" }, days: { type: "string" } },
    run: ({ values, positionals, actor }) =>
      withDatabase(async (ctx) => {
        const r = await rotateAgentKey(ctx, need(positionals[0], "<key-id>"), actor, overlap(values.overlap), days(values.days));
        console.log(
          `Key id: ${r.keyId} (expires ${r.expiresAt.toISOString()})\n${r.replaces.keyId} now expires ${r.replaces.expiresAt.toISOString()}\nAPI key (shown once): ${r.apiKey}`,
        );
        return 0;
      }),
  },
  "keys revoke": {
    usage: "<key-id>",
    summary: "Revoke an agent API key by its key id (mnd_ak_…)",
    run: ({ positionals, actor }) =>
      withDatabase(async (ctx) => {
        await revokeAgentKey(ctx, need(positionals[0], "<key-id>"), actor);
        console.log(`Revoked ${positionals[0]}`);
        return 0;
      }),
  },
  "tools approve": {
    usage: "<server>/<tool> [--effect E --risk R --labels a,b]",
    summary: "Approve a tool's classification (the suggestion unless overridden)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return approveItem(input, server, name);
    },
  },
  "tools block": {
    usage: "<server>/<tool> --reason R",
    summary: "Block a tool (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return blockItem(input, server, name, true);
    },
  },
  "tools unblock": {
    usage: "<server>/<tool> --reason R",
    summary: "Unblock a tool",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return blockItem(input, server, name, false);
    },
  },
  "tools set": {
    usage: "<server>/<tool> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a tool's results (detector or label names, e.g. pii)",
    options: DETECTOR_OPTIONS,
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return setItemDetectors(input, server, name);
    },
  },
  "servers set": {
    usage: "<server> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for every item of a server",
    options: DETECTOR_OPTIONS,
    run: (input) => setItemDetectors(input, need(input.positionals[0], "<server>"), null),
  },
  "resources set": {
    usage: "<server> <uri-or-template> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a resource or a family of resources",
    options: DETECTOR_OPTIONS,
    run: (input) => setItemDetectors(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1])),
  },
  "resources approve": {
    usage: "<server> <uri-or-template> [--effect E --risk R --labels a,b]",
    summary: "Approve a resource (its URI) or a family of resources (its RFC 6570 URI template)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => approveItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1])),
  },
  "resources block": {
    usage: "<server> <uri-or-template> --reason R",
    summary: "Block a resource or a family of resources (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => blockItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1]), true),
  },
  "resources unblock": {
    usage: "<server> <uri-or-template> --reason R",
    summary: "Unblock a resource or a family of resources",
    options: { reason: { type: "string" } },
    run: (input) => blockItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1]), false),
  },
  "prompts approve": {
    usage: "<server>/<prompt> [--effect E --risk R --labels a,b]",
    summary: "Approve a prompt's classification (the suggestion unless overridden)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return approveItem(input, server, `prompt:${name}`);
    },
  },
  "prompts block": {
    usage: "<server>/<prompt> --reason R",
    summary: "Block a prompt (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return blockItem(input, server, `prompt:${name}`, true);
    },
  },
  "prompts unblock": {
    usage: "<server>/<prompt> --reason R",
    summary: "Unblock a prompt",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return blockItem(input, server, `prompt:${name}`, false);
    },
  },
  "prompts set": {
    usage: "<server>/<prompt> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a prompt's messages",
    options: DETECTOR_OPTIONS,
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return setItemDetectors(input, server, `prompt:${name}`);
    },
  },
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
