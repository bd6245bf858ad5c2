/**
 * Writes a large synthetic decision history into the audit log: `sessions` sessions of `steps` steps over
 * `days` days ending `endDaysAgo` days ago (default now), calling the demo tools with varied arguments, 1 % with a redacted secret. The
 * entries are made by lib/audit/entries' decision builder and committed through lib/audit/bulk-writer.ts
 * on a chain of their own (the production commit path), so audit verification still passes. For replay
 * benchmarks.
 */
import { randomUUID } from "node:crypto";
import { getPool } from "../../lib/db/pool.ts";
import { AuditBulkWriter } from "../../lib/audit/bulk-writer.ts";
import { decisionEntry } from "../../lib/audit/entries/index.ts";
import { argumentsHash } from "../../lib/decisions/decide.ts";
import { NO_DELEGATION } from "../../lib/decisions/mcp-request.ts";

const TOOLS: Array<{
  key: string;
  tool: { server: string; name: string; status: "approved"; effect: string; risk: string; labels: string[] };
  label: string | null;
  args: (i: number) => Record<string, string>;
}> = [
  {
    key: "files/read_file",
    tool: { server: "files", name: "read_file", status: "approved", effect: "read", risk: "low", labels: [] },
    label: null,
    args: (i: number) => ({ path: `docs/file-${i % 500}.md` }),
  },
  {
    key: "crm/get_customer",
    tool: { server: "crm", name: "get_customer", status: "approved", effect: "read", risk: "medium", labels: ["pii"] },
    label: "pii",
    args: (i: number) => ({ customer_id: `c-${i % 2000}` }),
  },
  {
    key: "web/fetch_url",
    tool: { server: "web", name: "fetch_url", status: "approved", effect: "read", risk: "low", labels: ["untrusted_content"] },
    label: "untrusted_content",
    args: (i: number) => ({ url: `https://site-${i % 300}.example/page` }),
  },
  {
    key: "mail/send_email",
    tool: { server: "mail", name: "send_email", status: "approved", effect: "side_effect", risk: "medium", labels: ["external_comm"] },
    label: null,
    args: (i: number) => ({ to: `user${i % 100}@example.com`, subject: "Hello", body: "Regards" }),
  },
];

/** The tool each seeded step calls (the same for every caller of seedDecisions): files/read_file, crm/get_customer, web/fetch_url or mail/send_email. */
export const seededTool = (session: number, step: number) => TOOLS[(session * 7 + step * 3) % TOOLS.length].key;

/** `agent`: the agent (by name) the decisions are made by; default the first agent by name. */
export async function seedDecisions(opts: { sessions: number; steps: number; days: number; endDaysAgo?: number; agent?: string }): Promise<number> {
  const pool = getPool();
  const agent = (
    await pool.query<{ id: string; name: string; key_id: string | null }>(
      `SELECT a.id, a.name, (SELECT k.key_id FROM agent_keys k WHERE k.agent_id = a.id ORDER BY k.created_at LIMIT 1) AS key_id
         FROM agents a WHERE $1::text IS NULL OR a.name = $1 ORDER BY a.name LIMIT 1`,
      [opts.agent ?? null],
    )
  ).rows[0];
  const w = new AuditBulkWriter("e2e:seed-decisions", 5000);
  const end = Date.now() - (opts.endDaysAgo ?? 0) * 86_400_000;
  const span = opts.days * 86_400_000;
  let n = 0;
  const sessionRows: unknown[] = [];
  for (let s = 0; s < opts.sessions; s++) {
    const sid = `bench-${s}-${w.chainId.slice(0, 8)}`;
    const start = end - span + Math.floor((s / opts.sessions) * (span - 3_600_000));
    sessionRows.push({ id: sid, agent_id: agent.id, started_at: new Date(start).toISOString() });
    let labels: string[] = [];
    for (let step = 1; step <= opts.steps; step++, n++) {
      const t = TOOLS.find((x) => x.key === seededTool(s, step))!;
      const trifecta = t.key === "mail/send_email" && labels.includes("pii") && labels.includes("untrusted_content");
      const outcome = trifecta ? "deny" : "allow";
      const secret = n % 100 === 0;
      const args = t.args(n);
      // The stored arguments hold the secret redacted; the hash is over the arguments as received.
      const received = secret ? { ...args, note: `token=ghp_${String(n).padStart(36, "0")}` } : args;
      await w.add(
        decisionEntry({
          decisionId: randomUUID(),
          method: "tools/call",
          at: new Date(start + step * 1000).toISOString(),
          outcome,
          agent: { agentId: agent.id, keyId: agent.key_id ?? "mnd_ak_seed", name: agent.name },
          toolKey: t.key,
          tool: t.tool,
          session: { foreign: false, id: sid, step, initiator: null, initiatorVerified: false, labelsBefore: labels },
          arguments: secret ? { ...args, note: "token=[REDACTED:github_token]" } : args,
          argumentsHash: argumentsHash(received),
          delegation: NO_DELEGATION,
          errors: [],
          reasons: trifecta
            ? [{ policy: "lethal-trifecta", message: "external communication in a session that read PII and ingested untrusted content" }]
            : [{ policy: "allow-approved-low-medium", message: "approved tools of low or medium risk are allowed" }],
          latencyUs: 300,
          policyVersion: "mcp@v1",
          redactions: secret ? [{ path: "/note", kind: "secret", pattern: "github_token" }] : [],
          requestId: null,
        }),
      );
      if (outcome === "allow" && t.label && !labels.includes(t.label)) labels = [...labels, t.label].sort();
    }
  }
  await w.close();
  await pool.query(
    `INSERT INTO sessions (id, agent_id, step_count, started_at, last_activity_at)
     SELECT id, agent_id, ${opts.steps}, started_at, started_at FROM jsonb_to_recordset($1::jsonb) AS x(id text, agent_id uuid, started_at timestamptz) ON CONFLICT DO NOTHING`,
    [JSON.stringify(sessionRows)],
  );
  return n;
}
