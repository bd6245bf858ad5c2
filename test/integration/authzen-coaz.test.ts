/**
 * The COAZ-MCP binding on the `mcp` store, driven by the binding's own examples
 * (test/fixtures/coaz-mcp-binding.ts, pinned to openid/authzen@9eec72a6): a PEP applies the default
 * mappings to an MCP request and its token, sends the result to a running Mandate over HTTP, and gets
 * true for initialize, the list methods and an approved tool; false with a reason for everything the
 * store does not decide. Every decision is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import {
  CEL_RESOLUTION,
  COPY_OBJECT_TOOL,
  DECLARED_MULTI_REQUEST,
  DECLARED_SINGLE_REQUEST,
  COAZ_SOURCE,
  DEFAULT_MAPPINGS,
  PASS_THROUGH,
  SAME_SHAPE_AS,
  SERVER_INITIATED,
  TOKEN_CLAIMS,
  TOOLS_CALL_REQUEST,
  TOOLS_LIST_RESPONSE,
  TRANSFER_FUNDS_TOOL,
  type Mapping,
} from "../fixtures/coaz-mcp-binding.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";

type Obj = Record<string, unknown>;
const ABSENT = Symbol("absent");

/**
 * A PEP's resolution of the binding's mappings, enough for the spec's examples: `$` paths with CEL's
 * optional selection (`.?`), and `a == 'x' ? b : c`. Not a CEL evaluator (Mandate, the PDP, needs none).
 */
function path(expr: string, vars: Obj): unknown {
  let v: unknown = vars;
  for (const seg of expr.replace(/^\$/, "").split(".")) {
    const optional = seg.startsWith("?");
    const key = optional ? seg.slice(1) : seg;
    if (v === null || typeof v !== "object" || !(key in v)) {
      if (optional) return ABSENT;
      throw new Error(`COAZ mapping error: expression '${expr}' failed: no such key '${key}'`);
    }
    v = (v as Obj)[key];
  }
  return v;
}
function operand(s: string, vars: Obj): unknown {
  const lit = /^'(.*)'$/.exec(s.trim());
  return lit ? lit[1] : path(s.trim(), vars);
}
function expression(expr: string, vars: Obj): unknown {
  const t = /^\$(.+?) == '([^']*)' \? (.+) : (.+)$/.exec(expr);
  if (t) return operand(t[1], vars) === t[2] ? operand(t[3], vars) : operand(t[4], vars);
  if (!/^\$[\w?.]+$/.test(expr)) throw new Error(`not supported by this test's resolver: ${expr}`);
  return path(expr, vars);
}
function resolve(template: unknown, vars: Obj): unknown {
  if (typeof template === "string") {
    if (template.startsWith("$$")) return template.slice(1);
    return template.startsWith("$") ? expression(template, vars) : template;
  }
  if (Array.isArray(template)) return template.map((t) => resolve(t, vars));
  if (template && typeof template === "object") {
    const out: Obj = {};
    for (const [k, t] of Object.entries(template)) {
      const v = resolve(t, vars);
      if (v !== ABSENT) out[k] = v;
    }
    return out;
  }
  return template;
}
function apply(mapping: Mapping, params: Obj, token: Obj): Obj {
  const body = "evaluation" in mapping ? mapping.evaluation : mapping.evaluations;
  return resolve(body, { params, token }) as Obj;
}

/** Example params for each default-mapped method (initialize as MCP defines it). */
const PARAMS: Record<string, Obj> = {
  initialize: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "pep-test", version: "1" } },
  "tools/list": {},
  "tools/call": TOOLS_CALL_REQUEST.params,
  "resources/list": {},
  "resources/read": { uri: "crm://customers/cust-12345" },
  "prompts/list": {},
  "prompts/get": { name: "greet" },
  "completion/complete": { ref: { type: "ref/prompt", name: "greet" }, argument: { name: "who", value: "al" } },
  "logging/setLevel": { level: "debug" },
  "tasks/get": { taskId: "task-1" },
  "tasks/list": {},
};
const mappingOf = (method: string): Mapping => {
  const base = DEFAULT_MAPPINGS[SAME_SHAPE_AS[method] ?? method];
  if (!("evaluation" in base)) throw new Error("default mappings use the evaluation envelope");
  return { evaluation: { ...base.evaluation, action: { name: method } } };
};

let m: MandateHandle;
let pep: string;
let agent: string;
/** The spec's token, as a deployment of Mandate issues it: client_id names a Mandate agent, aud a server of the inventory. */
let token: Obj;

async function az(path: string, body: unknown) {
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${pep}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
const evaluate = (body: unknown) => az("/access/v1/evaluation", body);
const reasonOf = (r: { body: { context?: { reason_admin?: { en?: string } } } }) => r.body.context?.reason_admin?.en ?? "";
const decisionIds: string[] = [];
async function expectDecision(body: unknown, decision: boolean, reason?: string) {
  const r = await evaluate(body);
  expect(r.status, JSON.stringify(body)).toBe(200);
  expect(r.body.decision, `${JSON.stringify(body)} → ${reasonOf(r)}`).toBe(decision);
  if (reason) expect(reasonOf(r)).toContain(reason);
  decisionIds.push(r.body.context.id);
  return r;
}

beforeAll(async () => {
  m = await startMandate();
  pep = (await api(m.url, m.adminToken, "POST", "/api/v1/stores/mcp/pep-keys", { name: "coaz-pep" })).body.key;
  agent = m.credentials!.agents[0].name;
  token = { ...TOKEN_CLAIMS, client_id: agent, aud: "crm" };
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("COAZ-MCP default mappings", () => {
  it("the test's PEP resolves the spec's expression examples as the spec says", () => {
    expect(COAZ_SOURCE.commit).toMatch(/^[0-9a-f]{40}$/); // pinned, as in docs/authzen.md
    const vars = { params: TOOLS_CALL_REQUEST.params, token: TOKEN_CLAIMS };
    for (const [expr, value] of CEL_RESOLUTION) expect(resolve(expr, vars)).toEqual(value);
    expect(apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, { sub: "bob" })).toEqual({
      subject: { type: "identity", id: "bob" },
      context: {},
      action: { name: "tools/call" },
      resource: { type: "tool", id: "get_customer" },
    });
  });

  it("permits initialize and the list methods on a known server to an active agent", async () => {
    const meta = await (await fetch(`${m.url}/.well-known/authzen-configuration/stores/mcp`)).json();
    expect(meta.capabilities).toContain("urn:mandate:authzen:capability:coaz-mcp");
    for (const method of ["initialize", "tools/list", "resources/list", "prompts/list", "tasks/list"]) {
      const r = await expectDecision(apply(mappingOf(method), PARAMS[method], token), true);
      expect(r.body.context.policy_version).toMatch(/^mcp@v\d+$/);
    }
  });

  it("searches servers and server methods; every result evaluates to true", async () => {
    const who = { subject: { type: "identity", id: "alice@example.com" }, context: { agent } };
    const servers = await az("/access/v1/search/resource", { ...who, action: { name: "initialize" }, resource: { type: "mcp_server" } });
    expect(servers.status).toBe(200);
    expect(servers.body.results).toEqual(["crm", "files", "mail", "web"].map((id) => ({ type: "mcp_server", id })));
    const methods = await az("/access/v1/search/action", { ...who, resource: { type: "mcp_server", id: "crm" } });
    expect(methods.body.results.map((r: { name: string }) => r.name)).toEqual([
      "initialize",
      "logging/setLevel",
      "prompts/list",
      "resources/list",
      "resources/templates/list",
      "tasks/list",
      "tools/list",
    ]);
    for (const name of methods.body.results.map((r: { name: string }) => r.name)) {
      await expectDecision({ ...who, action: { name }, resource: { type: "mcp_server", id: "crm" } }, true);
    }
    const onTool = await az("/access/v1/search/action", { ...who, resource: { type: "tool", id: "get_customer" } });
    expect(onTool.body.results).toEqual([{ name: "tools/call" }, { name: "tools/list" }]);
    const none = await az("/access/v1/search/action", { ...who, context: { agent: "no-such-agent" }, resource: { type: "mcp_server", id: "crm" } });
    expect(none.body.results).toEqual([]);
  });

  it("decides tools/call of the bare tool name through the native pipeline, the identity as the session's initiator", async () => {
    const r = await expectDecision(apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, token), true);
    expect(r.body.context).toMatchObject({ outcome: "allow", session: { step: 1 } });
    const s = await getPool().query("SELECT initiator, initiator_verified, agent_id IS NOT NULL AS owned FROM sessions WHERE id = $1", [
      r.body.context.session.id,
    ]);
    expect(s.rows[0]).toEqual({ initiator: "alice@example.com", initiator_verified: false, owned: true });
    const row = await getPool().query("SELECT actor, tool FROM audit_entries WHERE decision_id = $1", [r.body.context.id]);
    expect(row.rows[0]).toEqual({ actor: `agent:${agent}`, tool: "crm/get_customer" });
    // An identity need not be an email nor a Mandate user; it is recorded as given.
    const opaque = await expectDecision(apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, { ...token, sub: "248289761001" }), true);
    expect((await getPool().query("SELECT initiator FROM sessions WHERE id = $1", [opaque.body.context.session.id])).rows[0].initiator).toBe("248289761001");
  });

  it("decides resources, prompts, completions, logging and tasks through the native pipeline (issue 15 §1)", async () => {
    // The demo crm server: the family crm://customers/{id} (pii, medium) and the prompt customer_brief (low), approved.
    for (const method of ["resources/read", "resources/subscribe", "resources/unsubscribe"]) {
      const r = await expectDecision(apply(mappingOf(method), PARAMS["resources/read"], token), true);
      const row = await getPool().query("SELECT tool, data->>'method' AS method FROM audit_entries WHERE decision_id = $1", [r.body.context.id]);
      expect(row.rows[0]).toEqual({ tool: "crm/crm://customers/{id}", method });
    }
    const brief = { name: "customer_brief" };
    await expectDecision(apply(mappingOf("prompts/get"), brief, token), true);
    await expectDecision(apply(mappingOf("prompts/get"), PARAMS["prompts/get"], token), false, "mandate.prompt_unknown"); // "greet": no server offers it
    await expectDecision(apply(mappingOf("completion/complete"), { ...PARAMS["completion/complete"], ref: { type: "ref/prompt", ...brief } }, token), true);
    const family = { ref: { type: "ref/resource", uri: "crm://customers/{id}" }, argument: { name: "id", value: "cus_1" } };
    await expectDecision(apply(mappingOf("completion/complete"), family, token), true);
    // logging/setLevel on the server: an approved server under the default policy.
    const logging = await expectDecision(apply(mappingOf("logging/setLevel"), PARAMS["logging/setLevel"], token), true);
    expect(logging.body.context.outcome).toBe("allow");
    await expectDecision(
      apply(mappingOf("logging/setLevel"), PARAMS["logging/setLevel"], { ...token, aud: "no-such-server" }),
      false,
      "mandate.mcp_unknown_server",
    );
    // A task id names no server: false unless the PEP adds resource.properties.server.
    for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
      const mapped = apply(mappingOf(method), PARAMS["tasks/get"], token) as { resource: Obj };
      await expectDecision(mapped, false, "mandate.mcp_task_server_required");
      await expectDecision({ ...mapped, resource: { ...mapped.resource, properties: { server: "crm" } } }, true);
    }
  });

  it("answers false with a reason for the server-initiated methods, pass-through and unknown actions", async () => {
    const server = { type: "mcp_server", id: "crm" };
    const passThrough = PASS_THROUGH.map((x) => x.replace("*", "initialized"));
    for (const method of [...SERVER_INITIATED, ...passThrough, "tools/frobnicate"]) {
      await expectDecision(
        { subject: { type: "identity", id: "alice@example.com" }, action: { name: method }, resource: server, context: { agent } },
        false,
        "mandate.mcp_unsupported_action",
      );
    }
  });

  it("answers false for an unknown server, an unknown or missing agent, and an unknown tool", async () => {
    const init = (t: Obj) => apply(mappingOf("initialize"), PARAMS.initialize, t);
    await expectDecision(init({ ...token, aud: TOKEN_CLAIMS.aud }), false, "mandate.mcp_unknown_server");
    await expectDecision(init(TOKEN_CLAIMS), false, "mandate.agent_unknown");
    const { client_id: _, ...noClient } = token;
    await expectDecision(init(noClient), false, "mandate.agent_missing");
    await expectDecision(apply(DEFAULT_MAPPINGS["tools/call"], { name: "no_such_tool" }, token), false, "mandate.tool_unknown");
    await expectDecision(apply(DEFAULT_MAPPINGS["tools/call"], { name: "get_customer" }, TOKEN_CLAIMS), false, "mandate.agent_unknown");
  });

  it("resolves a bare tool name through the only approved server, and refuses an ambiguous one", async () => {
    const agentKey = m.credentials!.agents[0].api_key;
    const report = await api(m.url, agentKey, "POST", "/api/v1/inventory", {
      server: "crm-mirror",
      tools: [{ name: "get_customer", inputSchema: { type: "object" } }],
    });
    expect(report.status).toBe(200);
    await m.settle();
    const call = (properties?: Obj) => {
      const ev = apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, token) as { resource: Obj };
      return { ...ev, resource: { ...ev.resource, ...(properties ? { properties } : {}) } };
    };
    await expectDecision(call(), true); // crm-mirror's get_customer is pending: crm is the only approved server offering it
    await m.approveTool("crm-mirror", "get_customer");
    const r = await expectDecision(call(), false, "mandate.mcp_ambiguous_tool");
    expect(reasonOf(r)).toMatch(/crm\/get_customer or crm-mirror\/get_customer|crm-mirror\/get_customer or crm\/get_customer/);
    await expectDecision(call({ server: "crm" }), true);
    // Mandate's own form keeps working, with an identity subject too.
    await expectDecision({ ...call(), resource: { type: "tool", id: "crm/get_customer" } }, true);
  });

  it("answers false for a suspended agent", async () => {
    const suspended = m.credentials!.agents[2].name;
    expect((await api(m.url, m.adminToken, "POST", `/api/v1/agents/${suspended}/suspend`, { reason: "coaz test" })).status).toBe(200);
    await m.settle();
    const t = { ...token, client_id: suspended };
    await expectDecision(apply(mappingOf("initialize"), PARAMS.initialize, t), false, "mandate.agent_suspended");
    await expectDecision(apply(mappingOf("tools/list"), {}, t), false, "mandate.agent_suspended");
    await expectDecision(apply(DEFAULT_MAPPINGS["tools/call"], { name: "fetch_url" }, t), false, "mandate.agent_suspended");
  });
});

describe("COAZ-MCP declared mappings", () => {
  it("answers false for their custom actions and types (no policy of the mcp store can name them)", async () => {
    expect(TOOLS_LIST_RESPONSE.tools[0].inputSchema["x-authzen-mapping"]).toBeDefined();
    await expectDecision({ ...DECLARED_SINGLE_REQUEST, context: { ...DECLARED_SINGLE_REQUEST.context, agent } }, false, "mandate.mcp_unsupported_action");
    expect(COPY_OBJECT_TOOL.inputSchema["x-authzen-mapping"].evaluations.evaluations).toHaveLength(2);
    const multi = await az("/access/v1/evaluations", { ...DECLARED_MULTI_REQUEST, context: { agent } });
    expect(multi.status).toBe(200);
    expect(multi.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, false]);
    for (const e of multi.body.evaluations) expect(e.context.reason_admin.en).toContain("mandate.mcp_unsupported_action");
    // transfer_funds' mapping resolved by hand (roles.exists is CEL this test's PEP does not evaluate): a standard user, 500 USD.
    const transfer = TRANSFER_FUNDS_TOOL.inputSchema["x-authzen-mapping"].evaluation;
    await expectDecision(
      {
        subject: { type: "standard_user", id: "alice@example.com" },
        action: { name: "domestic_transfer" },
        resource: { type: transfer.resource.type, id: "acc-1", properties: { sensitivity: "standard" } },
        context: { agent, target_account: "acc-2" },
      },
      false,
      "mandate.mcp_unsupported_action",
    );
  });
});

describe("COAZ-MCP with policies", () => {
  it("denies a server method a policy forbids, and a tools/call without arguments when the policy reads them", async () => {
    const ops = m.credentials!.agents[1].name;
    await m.publishPolicy(`${DEFAULT_POLICY}
@id("ops-offline")
@reason("ops-agent is offline")
forbid (principal == Agent::"${ops}", action, resource);

@id("blocked-customer")
@reason("customer cus_9999 is off limits")
forbid (principal, action == Action::"tools/call", resource)
when { context.args has customer_id && context.args.customer_id == "cus_9999" };
`);
    await expectDecision(apply(mappingOf("initialize"), PARAMS.initialize, { ...token, client_id: ops }), false, "ops-offline: ops-agent is offline");
    await expectDecision(apply(mappingOf("initialize"), PARAMS.initialize, token), true);
    // (crm-mirror offers get_customer too since the test above: the server is named.)
    const mapped = apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, token) as { subject: Obj; context: Obj; resource: Obj };
    const bare = { ...mapped, resource: { ...mapped.resource, properties: { server: "crm" } } };
    await expectDecision(bare, false, "mandate.mcp_arguments_required");
    const search = await az("/access/v1/search/action", { subject: bare.subject, context: bare.context, resource: bare.resource });
    expect(search.body.results).toEqual([{ name: "tools/list" }]); // search agrees with evaluation
    const withArgs = (customer_id: string) => ({ ...bare, resource: { ...bare.resource, properties: { server: "crm", arguments: { customer_id } } } });
    await expectDecision(withArgs("cus_1001"), true);
    await expectDecision(withArgs("cus_9999"), false, "blocked-customer");
    // A forbid that cannot be evaluated on a server fails closed (here an overflow: crm's riskLevel is at least 1).
    await m.publishPolicy(`${DEFAULT_POLICY}
@id("overflows")
forbid (principal, action == Action::"initialize", resource) when { 9223372036854775807 + resource.riskLevel > 0 };
`);
    await expectDecision(apply(mappingOf("initialize"), PARAMS.initialize, token), false, "mandate.policy_error");
    await expectDecision(withArgs("cus_1001"), true);
  });
});

describe("bad input and the audit", () => {
  it("refuses an identity it cannot record exactly with a 400, and records every decision", async () => {
    const ev = apply(DEFAULT_MAPPINGS["tools/call"], TOOLS_CALL_REQUEST.params, token);
    const long = await evaluate({ ...ev, subject: { type: "identity", id: "a".repeat(321) } });
    expect(long.status).toBe(400);
    expect(long.body).toMatch(/subject\.id/);
    const twice = await evaluate({ ...ev, context: { agent, session: { id: "s-coaz", initiator: "bob@example.com" } } });
    expect(twice.status).toBe(400);
    const r = await getPool().query("SELECT count(DISTINCT decision_id)::int AS n FROM audit_entries WHERE decision_id = ANY($1::uuid[])", [decisionIds]);
    expect(r.rows[0].n).toBe(decisionIds.length);
    expect((await verifyAudit(m.dataDir)).ok).toBe(true);
  });
});
