import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromZod } from "../errors.ts";
import { MCP_ACTIONS, SERVER_ACTIONS } from "./mcp-actions.ts";
import { decisionRequest, decisionRequestOnPath } from "./schemas.ts";

// POST /api/v1/decisions parses a valid request without the zod refinement of its target (the check in
// plain code after the parse; a refused body is parsed again with the refinement). This is the previous
// schema, its refinement verbatim: any body must get the same answer (the same parsed request, or the
// same 400 with the same message and issues in the same order).
const isServerAction = (a: string) => (SERVER_ACTIONS as readonly string[]).includes(a);
const previous = decisionRequest.clone({ ...decisionRequest._zod.def, checks: [] }).superRefine((r, ctx) => {
  const action = r.action ?? "tools/call";
  const want =
    action === "tools/call"
      ? "tool"
      : action === "prompts/get"
        ? "prompt"
        : isServerAction(action)
          ? "server"
          : action === "completion/complete"
            ? r.prompt !== undefined
              ? "prompt"
              : "resource"
            : "resource";
  for (const k of ["tool", "resource", "prompt", "server"] as const) {
    if (k === want && r[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: `${action} needs ${k}` });
    if (k !== want && r[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: `${action} takes ${want}, not ${k}` });
  }
  if (want === "resource" && action !== "completion/complete" && Object.keys(r.arguments).length > 0)
    ctx.addIssue({ code: "custom", path: ["arguments"], message: `${action} takes no arguments (the URI is in resource.uri)` });
});

/** What the route answers: the parsed request, or its 400. */
function answer(body: unknown, onPath: boolean): unknown {
  const r = (onPath ? decisionRequestOnPath : previous).safeParse(body);
  if (r.success) return r.data;
  const err = fromZod(r.error);
  return { status: err.status, code: err.code, message: err.message, errors: err.errors };
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const body = fc.record(
  {
    session: fc.oneof(fc.constant({ id: "s-1" }), fc.constant({ id: "" }), fc.constant({ id: "s-2", initiator: "a@example.com" })),
    action: maybe(fc.oneof(fc.constantFrom(...MCP_ACTIONS), fc.constant("nope/never"))),
    tool: maybe(fc.constantFrom({ server: "crm", name: "search" }, { server: "crm" }, { server: "bad server", name: "x" })),
    resource: maybe(fc.constantFrom({ server: "docs", uri: "file:///a" }, { server: "docs", uri: "" })),
    prompt: maybe(fc.constantFrom({ server: "crm", name: "summary" }, { name: "p" })),
    server: maybe(fc.constantFrom({ name: "crm" }, { name: "" })),
    arguments: maybe(fc.constantFrom({}, { q: 1 }, [] as unknown)),
    request_id: maybe(fc.constantFrom("r-1", 7 as unknown)),
    extra: maybe(fc.constant(1)),
  },
  { requiredKeys: [] },
);

describe("decision request: the target check after the parse", () => {
  it("answers every body as the refinement did (same data, or the same 400 and issues)", () => {
    let refused = 0;
    fc.assert(
      fc.property(body, (b) => {
        const want = answer(b, false);
        expect(answer(b, true)).toEqual(want);
        if ((want as { status?: number }).status === 400) refused++;
      }),
      { numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(50);
  }, 60_000);
});
