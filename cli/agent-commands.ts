/**
 * `mandate agents …` and `mandate keys …`: agent identities, their keys, trust rules and federation
 * (cli/commands.ts lists them with the others); each calls the same lib/identity function as the API.
 */
import { days, need, overlap, str, type Command } from "./args.ts";
import { withDatabase } from "./with-database.ts";
import { MandateError } from "../lib/errors.ts";
import { createAgent, createAgentKey, revokeAgentKey, rotateAgentKey, setAgentSuspended } from "../lib/identity/agents.ts";
import { addTrustRule, listTrustRules, removeTrustRule, setFederatedOnly } from "../lib/identity/federation/trust.ts";

/** Agents, their keys and their federation trust rules. */
export const agentCommands: Record<string, Command> = {
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
};
