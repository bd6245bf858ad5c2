/** `mandate sinks add|list|remove|test|dead-letters`: audit sinks (docs/siem.md), over lib/sinks like the API. */
import { readFileSync } from "node:fs";
import { env } from "../lib/env.ts";
import { MandateError } from "../lib/errors.ts";
import { hostname } from "node:os";
import { createSink, deadLetters, listSinks, removeSink, SINK_KINDS, testSink, type NewSink } from "../lib/sinks/sinks.ts";
import { need, str, type Command } from "./args.ts";
import { withDatabase } from "./with-database.ts";

export const sinkCommands: Record<string, Command> = {
  "sinks add": {
    usage: `<name> --kind ${SINK_KINDS.join("|")} --endpoint URL [--format ocsf|cef] [--token-file F] [--ca F] [--from now|start]`,
    summary:
      "Add an audit sink (webhook: NDJSON; hec: Splunk HEC; syslog: tcp:// or tls://host:port, RFC 5424; otlp: OTLP/HTTP logs). " +
      "The token is read from --token-file (or MANDATE_SINK_TOKEN) and stored encrypted",
    options: {
      kind: { type: "string" },
      endpoint: { type: "string" },
      format: { type: "string" },
      "token-file": { type: "string" },
      ca: { type: "string" },
      from: { type: "string" },
    },
    run: ({ values, positionals, actor }) => {
      const tokenFile = str(values["token-file"]);
      const token = tokenFile ? readFileSync(tokenFile, "utf8").trim() : env().MANDATE_SINK_TOKEN;
      const ca = str(values.ca);
      const input = {
        name: need(positionals[0], "<name>"),
        kind: need(str(values.kind), "--kind"),
        endpoint: need(str(values.endpoint), "--endpoint"),
        ...(str(values.format) ? { format: str(values.format) } : {}),
        ...(str(values.from) ? { from: str(values.from) } : {}),
        ...(token ? { token } : {}),
        ...(ca ? { ca: readFileSync(ca, "utf8") } : {}),
      } as NewSink;
      return withDatabase(async (ctx) => {
        const s = await createSink(ctx, input, actor);
        console.log(`Added sink ${s.name}: ${s.kind} (${s.format}) to ${s.endpoint}`);
        return 0;
      });
    },
  },
  "sinks list": {
    usage: "[--json]",
    summary: "List audit sinks: delivered, lag (entries not yet acknowledged), last error, dead letters, the node delivering",
    options: { json: { type: "boolean" } },
    run: ({ values }) =>
      withDatabase(async () => {
        const sinks = await listSinks();
        if (values.json) console.log(JSON.stringify(sinks, null, 2));
        else if (!sinks.length) console.log("No audit sinks");
        else
          for (const s of sinks)
            console.log(
              `${s.name}\t${s.kind}/${s.format}\t${s.endpoint}\tdelivered ${s.delivered}\tlag ${s.lag}\tdead letters ${s.dead_letters}` +
                `${s.last_error ? `\tlast error: ${s.last_error}` : ""}`,
            );
        return 0;
      }),
  },
  "sinks remove": {
    usage: "<name>",
    summary: "Remove an audit sink (its cursors and dead letters with it)",
    run: ({ positionals, actor }) =>
      withDatabase(async (ctx) => {
        await removeSink(ctx, need(positionals[0], "<name>"), actor);
        console.log(`Removed sink ${positionals[0]}`);
        return 0;
      }),
  },
  "sinks test": {
    usage: "<name>",
    summary: "Send one synthetic event (sink.test) to the sink and print the receiver's answer (exit 1 if it did not take it)",
    run: ({ positionals }) =>
      withDatabase(async () => {
        const r = await testSink(need(positionals[0], "<name>"), hostname());
        console.log(`${r.ok ? "taken" : r.ok === false && r.permanent ? "refused" : "failed"}: ${r.detail} (event ${r.event_id})`);
        return r.ok ? 0 : 1;
      }),
  },
  "sinks dead-letters": {
    usage: "<name> [--limit 100]",
    summary: "List the entries a sink's receiver refused for good (newest first)",
    options: { limit: { type: "string" } },
    run: ({ values, positionals }) => {
      const limit = str(values.limit) ?? "100";
      if (!/^\d{1,4}$/.test(limit)) throw new MandateError(400, "invalid_request", `--limit must be a whole number, not ${limit}`);
      return withDatabase(async () => {
        for (const d of await deadLetters(need(positionals[0], "<name>"), Number(limit)))
          console.log(`${d.event_id}\t${d.attempts} attempts\t${d.last_attempt_at}\t${d.error}`);
        return 0;
      });
    },
  },
};
