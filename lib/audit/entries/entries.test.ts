import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../util/canonical-json.ts";
import { computeEntryHash, GENESIS_HASH, linkEntries, type AuditEntryInput } from "../hash.ts";
import { checkEntry, DECISION, decisionEntry, ENTRY_DEFS, FORMAT_VERSION, knownActions, outcomeEntry, type DecisionFacts, type StoredEntry } from "./index.ts";
import { dataPaths } from "./paths.ts";

const agentId = randomUUID();
const ownerId = randomUUID();
const hash = "a".repeat(64);
const reasons = [{ policy: "allow-approved-low-medium", message: "approved tools of low or medium risk are allowed" }];
const tool = { id: randomUUID(), server: "crm", name: "get_customer", status: "approved" as const, effect: "read", risk: "low", labels: ["pii"] };
const delegation = {
  present: true,
  depth: 1,
  chain: [{ agent_id: agentId, name: "bot" }],
  onBehalfOf: "alice@example.com",
  scopes: ["tool:crm/*"],
  tokenId: randomUUID(),
};

function facts(over: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    decisionId: randomUUID(),
    at: "2026-12-06T10:00:00.000Z",
    outcome: "allow",
    agent: { agentId, keyId: "mnd_ak_x", name: "bot" },
    method: "tools/call",
    toolKey: "crm/get_customer",
    tool,
    session: { foreign: false, id: "s-1", step: 3, initiator: "alice@example.com", initiatorVerified: true, labelsBefore: ["untrusted_content"] },
    arguments: { id: 7, note: "[REDACTED:github_token]" },
    argumentsHash: hash,
    delegation,
    errors: [],
    reasons,
    latencyUs: 412,
    policyVersion: "mcp@v2",
    redactions: [{ path: "/note", kind: "secret", pattern: "github_token" }],
    requestId: "r-1",
    ...over,
  };
}

/** The decision entry exactly as lib/decisions/decide.ts wrote it before the builder (main, 2026-12-06). */
function writtenBefore(f: DecisionFacts): AuditEntryInput {
  const s = f.session;
  const t = f.tool;
  const d = f.delegation;
  return {
    kind: "decision",
    action: `decision.${f.outcome}`,
    actor: `agent:${f.agent.name}`,
    session_id: s.id,
    step: s.foreign ? null : s.step,
    agent_id: f.agent.agentId,
    tool: f.toolKey,
    outcome: f.outcome,
    decision_id: f.decisionId,
    created_at: f.at,
    data: {
      agent: { id: f.agent.agentId, key_id: f.agent.keyId, name: f.agent.name },
      approval: f.approvalPending
        ? { expires_at: f.approvalPending.expires_at, id: f.approvalPending.id, status: "pending" }
        : f.approvalUsed
          ? { id: f.approvalUsed, status: "used" }
          : null,
      arguments: f.arguments,
      arguments_hash: f.argumentsHash,
      delegation: d.present ? { chain: d.chain, depth: d.depth, on_behalf_of: d.onBehalfOf, scopes: d.scopes, token_id: d.tokenId } : null,
      errors: f.errors,
      latency_us: f.latencyUs,
      policy_version: f.policyVersion,
      reasons: f.reasons,
      redactions: f.redactions,
      request_id: f.requestId,
      session: s.foreign
        ? { foreign_attempt: true, id: s.id, owner_agent_id: s.ownerAgentId, step: null }
        : { id: s.id, initiator: s.initiator, initiator_verified: s.initiatorVerified, labels_before: s.labelsBefore, step: s.step },
      shadow: f.shadow ?? null,
      tool:
        t.status !== "unknown"
          ? { effect: t.effect, labels: t.labels, name: t.name, risk: t.risk, server: t.server, status: t.status }
          : { name: t.name, server: t.server, status: "unknown" },
    },
  };
}

const stored = (e: AuditEntryInput): StoredEntry => ({
  kind: e.kind,
  action: e.action,
  actor: e.actor,
  session_id: e.session_id ?? null,
  step: e.step ?? null,
  agent_id: e.agent_id ?? null,
  tool: e.tool ?? null,
  outcome: e.outcome ?? null,
  decision_id: e.decision_id ?? null,
  data: JSON.parse(JSON.stringify(e.data)),
});

const variants: Array<[string, Partial<DecisionFacts>]> = [
  ["an allow under a delegation", {}],
  [
    "a deny without delegation, unknown tool",
    {
      outcome: "deny",
      tool: { server: "x", name: "y", status: "unknown" },
      toolKey: "x/y",
      delegation: { ...delegation, present: false },
      reasons: [{ policy: "mandate.tool_unknown", message: "tool x/y is not in the inventory" }],
    },
  ],
  [
    "a require_approval with its pending approval and a shadow answer",
    {
      outcome: "require_approval",
      approvalPending: { id: randomUUID(), expires_at: "2026-12-06T10:15:00.000Z" },
      shadow: { version: "mcp@v3", decision: "deny", reasons },
    },
  ],
  ["an allow that used an approval", { approvalUsed: randomUUID() }],
  ["a foreign attempt", { outcome: "deny", session: { foreign: true, id: "s-1", ownerAgentId: ownerId }, delegation: { ...delegation, present: false } }],
];

describe("decision entries", () => {
  it.each(variants)("%s: the same columns and data as before, plus method and v", (_, over) => {
    const f = facts(over);
    const now = decisionEntry(f);
    const before = writtenBefore(f);
    const { data, ...columns } = now;
    const { data: dataBefore, ...columnsBefore } = before;
    expect(columns).toEqual(columnsBefore);
    expect(canonicalJson(data)).toBe(canonicalJson({ ...dataBefore, method: f.method, v: FORMAT_VERSION }));
    // Every object the builder makes, reasons and redactions included (they come as { policy, message }
    // and { path, kind, pattern }), has its keys in code-unit order: the chain's canonical JSON needs no
    // reordering (the arguments are written as the caller sent them; these are in order).
    expect(JSON.stringify(data)).toBe(canonicalJson(data));
    const errors = [{ policy: "p", message: "failed" }];
    const withErrors = decisionEntry(facts({ ...over, errors, redactions: [{ path: "/id", kind: "sensitive" }] })).data;
    expect(JSON.stringify(withErrors)).toBe(canonicalJson(withErrors));
    expect(checkEntry(stored(now))).toMatchObject({ ok: true, version: FORMAT_VERSION });
    expect(checkEntry(stored(before))).toMatchObject({ ok: true, version: 0 });
  });
});

describe("checkEntry", () => {
  const outcome = (over: Partial<Parameters<typeof outcomeEntry>[0]> = {}) =>
    outcomeEntry({
      agent: { agentId, name: "bot" },
      decision: { decision_id: randomUUID(), session_id: "s-1", step: 2, tool: "crm/get_customer" },
      event: { event_id: "evt-00000001", status: "error", duration_ms: 12.5 },
      error: "token [REDACTED:github_token]",
      redactions: [{ path: "/error", kind: "secret", pattern: "github_token" }],
      at: "2026-12-06T10:00:01.000Z",
      ...over,
    });

  it("refuses an entry whose kind and action have no schema", () => {
    expect(checkEntry({ ...stored(outcome()), action: "outcome.exploded" })).toEqual({
      ok: false,
      error: 'no schema for kind "outcome", action "outcome.exploded"',
    });
    expect(checkEntry({ ...stored(outcome()), kind: "admin" }).ok).toBe(false);
  });

  it("refuses a field the schema does not have, a missing one, a wrong type, or a column that does not fit", () => {
    const e = stored(outcome());
    const d = e.data as Record<string, unknown>;
    expect(checkEntry({ ...e, data: { ...d, extra: 1 } }).ok).toBe(false);
    expect(checkEntry({ ...e, data: { ...d, result_size: "12" } }).ok).toBe(false);
    const { event_id: _, ...noEvent } = d;
    expect(checkEntry({ ...e, data: noEvent }).ok).toBe(false);
    expect(checkEntry({ ...e, actor: "user:x@example.com" }).ok).toBe(false);
  });

  it("reads entries without v as version 0: fields added since may be missing there, and only there", () => {
    const e = stored(outcome());
    const { redactions: _, v: __, ...old } = e.data as Record<string, unknown>;
    expect(checkEntry({ ...e, data: old })).toMatchObject({ ok: true, version: 0 });
    expect(checkEntry({ ...e, data: { ...old, v: 1 } }).ok).toBe(false);
    expect(checkEntry({ ...e, data: { ...(e.data as object), v: FORMAT_VERSION + 1 } })).toMatchObject({
      ok: false,
      error: `unknown format version ${FORMAT_VERSION + 1}`,
    });
  });

  it("has one definition per kind and action, but for the decision actions shared by the native and the AuthZEN pipeline", () => {
    const seen = new Map<string, number>();
    for (const { kind, action } of knownActions()) seen.set(`${kind} ${action}`, (seen.get(`${kind} ${action}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([k]) => k)).toEqual(["decision decision.allow", "decision decision.deny"]);
    expect(ENTRY_DEFS.length).toBeGreaterThan(30);
  });
});

describe("the hash chain over entries with and without v", () => {
  it("links and recomputes both alike", () => {
    const f = facts();
    const { rows, head } = linkEntries("c", { seq: 0, hash: GENESIS_HASH }, [writtenBefore(f), decisionEntry(f)]);
    expect(rows.map((r) => computeEntryHash({ ...r, hash: undefined } as never))).toEqual(rows.map((r) => r.hash));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(head.hash).toBe(rows[1].hash);
    expect(rows[0].hash).not.toBe(rows[1].hash);
  });
});

describe("data paths", () => {
  it("render the SQL the readers used before", () => {
    expect(DECISION.shadowDecision.text()).toBe("data->'shadow'->>'decision'");
    expect(DECISION.shadowReasons.json()).toBe("data->'shadow'->'reasons'");
    expect(DECISION.firstReasonPolicy.text("e")).toBe("e.data->'reasons'->0->>'policy'");
    expect(DECISION.policyVersion.text()).toBe("data->>'policy_version'");
    expect(DECISION.delegationChain.json()).toBe("data->'delegation'->'chain'");
  });

  it("refuse a key that could not be quoted safely", () => {
    const at = dataPaths<Record<string, unknown>>();
    expect(() => at("x'; DROP TABLE audit_entries; --")).toThrow(/not a data path key/);
  });
});

describe("docs/audit-format.md", () => {
  it("documents every kind and action", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/audit-format.md"), "utf8");
    const missing = knownActions().filter(({ action }) => !doc.includes(`\`${action}\``));
    expect(missing).toEqual([]);
    expect(doc).toContain(`\`v\`: ${FORMAT_VERSION}`);
  });
});
