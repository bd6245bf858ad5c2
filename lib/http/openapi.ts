/**
 * The OpenAPI 3.1 document of the data plane, generated from the same route definitions and zod
 * schemas the handlers use (served at /api/openapi.json).
 */
import { z } from "zod";
import { problem } from "../api/schemas.ts";
import type { RouteDef } from "./route.ts";

function schemaOf(s: z.ZodType | undefined, io: "input" | "output"): unknown {
  if (!s) return undefined;
  try {
    return z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });
  } catch {
    return {};
  }
}

export function buildOpenApi(routes: RouteDef<unknown, unknown>[], version = "0.1.0") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, "{$1}");
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(r.auth === "none" ? { security: [] } : { security: [{ bearer: [] }] }),
      responses: {
        "200": { description: "OK", ...(r.response ? { content: { "application/json": { schema: schemaOf(r.response, "output") } } } : {}) },
        "400": { description: "Invalid request", content: { "application/problem+json": { schema: schemaOf(problem, "output") } } },
        ...(r.auth !== "none"
          ? { "401": { description: "Missing or invalid credential (WWW-Authenticate)" }, "403": { description: "Not allowed for this principal or role" } }
          : {}),
      },
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: { [r.contentType === "form" ? "application/x-www-form-urlencoded" : "application/json"]: { schema: schemaOf(r.body, "input") } },
      };
    }
    if (r.query) {
      const qs = schemaOf(r.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      const qp = Object.entries(qs.properties ?? {}).map(([name, schema]) => ({ name, in: "query", required: qs.required?.includes(name) ?? false, schema }));
      op.parameters = [...((op.parameters as unknown[]) ?? []), ...qp];
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Mandate data plane", version, description: "Decisions, events, inventory, delegation and approvals. Errors are RFC 9457 problem+json." },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "Agent API key (mnd_ak_…), federated agent access token (mnd_at_…) or personal API token (mnd_pt_…)",
        },
      },
    },
    paths,
  };
}
