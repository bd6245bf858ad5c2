/**
 * A policy test case from a recorded decision (issue 16 §6, "creating a policy test from a recorded
 * decision"): the request as the audit entry holds it — agent, tool and its recorded classification,
 * arguments, the session's labels, steps, tools used before the step and age, the delegation, the time —
 * and the recorded outcome as the expectation. The console's "Create policy test" (a decision's drawer)
 * shows it for editing and an admin saves it with the stored cases (a draft, POST …/drafts).
 *
 * What the record does not hold exactly is said, never guessed: redacted arguments keep their redaction
 * markers; the agent's team, owner and environment are the directory's at test time (the entry names the
 * agent only). Test cases describe tools/call and tools/list: a decision of another MCP method, or one
 * settled before policy (a foreign attempt: no step), cannot become one.
 */
import { getPool } from "../db/pool.ts";
import { DECISION } from "../audit/entries/index.ts";
import type { RecordedDecision } from "./replay-request.ts";

/** A test case as lib/policy/tests.ts reads it (policyTestCase), in its JSON form. */
export interface DecisionTestCase {
  name: string;
  agent: string;
  tool: string;
  tool_attributes?: { status?: "pending" | "approved" | "rejected"; effect?: string; risk?: string; labels?: string[] };
  action: "tools/call" | "tools/list";
  arguments: Record<string, unknown>;
  session: { labels: string[]; tools_used: string[]; steps: number; initiator?: string; age_seconds: number };
  delegation?: { chain: string[]; on_behalf_of?: string; scopes: string[] };
  time: string;
  expect: "allow" | "deny" | "require_approval";
}

export type CaseFromDecision = { ok: true; testCase: DecisionTestCase; notes: string[] } | { ok: false; reason: string };

const TESTABLE = new Set(["tools/call", "tools/list"]);
const STATUSES = new Set(["pending", "approved", "rejected"]);

/** The case for a recorded decision, given the tools the session used before it and when the session began. */
export function caseFromDecision(d: RecordedDecision, extra: { toolsUsed: string[]; sessionStart: Date | null }): CaseFromDecision {
  const method = d.method ?? "tools/call";
  if (!TESTABLE.has(method)) return { ok: false, reason: `This decision is a ${method}: policy test cases describe tools/call and tools/list only.` };
  if (d.step === null)
    return { ok: false, reason: "This decision was another agent's attempt in the session, settled before policy: there is no request to test." };
  if (!d.tool_info) return { ok: false, reason: "This decision has no recorded tool (it was settled before the tool was known)." };
  const notes: string[] = [];
  const t = d.tool_info;
  const attrs: DecisionTestCase["tool_attributes"] = {
    ...(STATUSES.has(t.status) ? { status: t.status as "pending" | "approved" | "rejected" } : {}),
    ...(t.effect ? { effect: t.effect } : {}),
    ...(t.risk ? { risk: t.risk } : {}),
    labels: t.labels ?? [],
  };
  const redacted = (d.redactions ?? []).map((r) => r.path);
  if (redacted.length)
    notes.push(
      `Arguments were redacted in the record (${redacted.join(", ")}): the case holds the redaction markers; put real values there if a policy reads them.`,
    );
  notes.push(`The agent's team, owner and environment are read from the directory when the test runs (the record names the agent, ${d.agent_name}).`);
  const age = extra.sessionStart ? Math.max(0, Math.floor((d.created_at.getTime() - extra.sessionStart.getTime()) / 1000)) : null;
  if (age === null) notes.push("The session's start is not known: age_seconds is 0.");
  const s = d.session ?? {};
  const del = d.delegation;
  const testCase: DecisionTestCase = {
    name: `${d.outcome} ${d.tool} (decision ${d.decision_id.slice(0, 8)})`,
    agent: d.agent_name,
    tool: d.tool,
    tool_attributes: attrs,
    action: method as DecisionTestCase["action"],
    arguments: d.args ?? {},
    session: {
      labels: s.labels_before ?? [],
      tools_used: extra.toolsUsed,
      steps: d.step - 1,
      ...(s.initiator ? { initiator: s.initiator } : {}),
      age_seconds: age ?? 0,
    },
    ...(del && del.chain.length
      ? { delegation: { chain: del.chain.map((c) => c.name), ...(del.on_behalf_of ? { on_behalf_of: del.on_behalf_of } : {}), scopes: del.scopes } }
      : {}),
    time: d.created_at.toISOString(),
    expect: d.outcome,
  };
  return { ok: true, testCase, notes };
}

/** The recorded decision (an audit entry of kind decision), or null when there is none with this id. */
export async function loadDecisionCase(decisionId: string): Promise<CaseFromDecision | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(decisionId)) return null;
  const pool = getPool();
  const r = await pool.query<RecordedDecision>(
    `SELECT decision_id, created_at, session_id, step, agent_id, ${DECISION.agentName.text()} AS agent_name, tool, outcome,
       ${DECISION.tool.json()} AS tool_info, ${DECISION.arguments.json()} AS args, ${DECISION.redactions.json()} AS redactions,
       ${DECISION.session.json()} AS session, ${DECISION.delegation.json()} AS delegation, ${DECISION.method.text()} AS method,
       NULL AS first_reason, NULL AS approval_status
     FROM audit_entries WHERE decision_id = $1 AND kind = 'decision' LIMIT 1`,
    [decisionId],
  );
  const row = r.rows[0];
  if (!row) return null;
  // The tools the session's allowed steps used before this one (what context.session.toolsUsed held).
  const [tools, session] = await Promise.all([
    row.step && row.step > 1
      ? pool.query<{ tool: string }>(
          `SELECT DISTINCT tool FROM audit_entries WHERE kind = 'decision' AND session_id = $1 AND step < $2 AND outcome = 'allow' ORDER BY tool`,
          [row.session_id, row.step],
        )
      : Promise.resolve({ rows: [] as Array<{ tool: string }> }),
    pool.query<{ started_at: Date }>(`SELECT started_at FROM sessions WHERE id = $1`, [row.session_id]),
  ]);
  return caseFromDecision(row, { toolsUsed: tools.rows.map((x) => x.tool), sessionStart: session.rows[0]?.started_at ?? null });
}
