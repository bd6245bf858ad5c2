/**
 * Audit sinks (docs/siem.md): admins add, remove and test them; admins and analysts read their status
 * and dead letters. Over the same lib/sinks functions as the CLI and the console.
 */
import { z } from "zod";
import { createSink, deadLetters, listSinks, newSinkSchema, removeSink, testSink } from "../../sinks/sinks.ts";
import { retryDeadLetter, retrySchema } from "../../sinks/retry.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

const TAG = "Audit sinks";
const READERS = ["admin", "analyst"] as const;

export const sinkRoutes = [
  defineRoute({
    method: "GET",
    path: "/api/v1/sinks",
    auth: "user",
    roles: [...READERS],
    tag: TAG,
    summary: "List audit sinks with their delivery status (lag, last error, dead letters)",
    handler: async () => ({ sinks: await listSinks() }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/sinks",
    auth: "user",
    roles: ["admin"],
    body: newSinkSchema,
    tag: TAG,
    summary: "Add an audit sink (webhook, hec, syslog or otlp; the token is stored encrypted and never returned)",
    handler: async ({ rt, body, user }) => reply({ status: 201, body: await createSink(rt, body, actorOf(user)) }),
  }),
  defineRoute({
    method: "DELETE",
    path: "/api/v1/sinks/:name",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    summary: "Remove an audit sink (its cursors and dead letters with it)",
    handler: async ({ rt, params, user }) => {
      await removeSink(rt, params.name, actorOf(user));
      return reply({ status: 204 });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/sinks/:name/dead-letters",
    auth: "user",
    roles: [...READERS],
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
    tag: TAG,
    summary: "Entries the sink's receiver refused for good (newest first)",
    handler: async ({ params, query }) => ({ dead_letters: await deadLetters(params.name, query.limit) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/sinks/:name/dead-letters/retry",
    auth: "user",
    roles: ["admin"],
    body: retrySchema,
    tag: TAG,
    summary: "Send one dead letter again (audited as sink.retry): delivered, it leaves the list; refused, its attempts and error are updated",
    handler: async ({ rt, params, body, user }) => retryDeadLetter(rt, params.name, body, actorOf(user), rt.config.node),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/sinks/:name/test",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    summary: "Send one synthetic event (sink.test) to the sink and report the receiver's answer",
    handler: async ({ rt, params }) => testSink(params.name, rt.config.node),
  }),
];
