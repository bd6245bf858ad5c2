/**
 * Writes a large synthetic decision history straight into the audit log (hash-chained on a chain of its
 * own, so audit verification still passes): `sessions` sessions of `steps` steps over the last `days`
 * days, calling the demo tools with varied arguments, 1 % with a redacted secret. For replay benchmarks.
 */
import { randomUUID } from "node:crypto";
import { getPool } from "../../lib/db/pool.ts";
import { GENESIS_HASH, linkEntries, type AuditEntryInput } from "../../lib/audit/hash.ts";

const TOOLS = [
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

export async function seedDecisions(opts: { sessions: number; steps: number; days: number }): Promise<number> {
  const pool = getPool();
  const agent = (await pool.query(`SELECT id, name FROM agents ORDER BY name LIMIT 1`)).rows[0];
  const chainId = randomUUID();
  await pool.query(`INSERT INTO audit_chains (id, node, started_at) VALUES ($1, 'e2e:seed-decisions', now())`, [chainId]);
  let head = { seq: 0, hash: GENESIS_HASH };
  let buf: AuditEntryInput[] = [];
  const flush = async () => {
    const linked = linkEntries(chainId, head, buf);
    await pool.query(
      `INSERT INTO audit_entries (chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data)
       SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data
         FROM jsonb_to_recordset($1::jsonb) AS x(chain_id uuid, seq bigint, prev_hash text, hash text, kind text, action text, actor text,
              session_id text, step int, agent_id uuid, tool text, outcome text, decision_id uuid, created_at timestamptz, data jsonb)`,
      [JSON.stringify(linked.rows)],
    );
    head = linked.head;
    buf = [];
  };
  const now = Date.now();
  const span = opts.days * 86_400_000;
  let n = 0;
  const sessionRows: unknown[] = [];
  for (let s = 0; s < opts.sessions; s++) {
    const sid = `bench-${s}-${chainId.slice(0, 8)}`;
    const start = now - span + Math.floor((s / opts.sessions) * (span - 3_600_000));
    sessionRows.push({ id: sid, agent_id: agent.id, started_at: new Date(start).toISOString() });
    let labels: string[] = [];
    for (let step = 1; step <= opts.steps; step++, n++) {
      const t = TOOLS[(s * 7 + step * 3) % TOOLS.length];
      const trifecta = t.key === "mail/send_email" && labels.includes("pii") && labels.includes("untrusted_content");
      const outcome = trifecta ? "deny" : "allow";
      const secret = n % 100 === 0;
      const args: Record<string, unknown> = { ...t.args(n), ...(secret ? { note: "token=[REDACTED:github_token]" } : {}) };
      buf.push({
        kind: "decision",
        action: `decision.${outcome}`,
        actor: `agent:${agent.name}`,
        session_id: sid,
        step,
        agent_id: agent.id,
        tool: t.key,
        outcome,
        decision_id: randomUUID(),
        created_at: new Date(start + step * 1000).toISOString(),
        data: {
          agent: { id: agent.id, name: agent.name, key_id: "mnd_ak_seed" },
          session: { id: sid, step, labels_before: labels, initiator: null, initiator_verified: false },
          tool: t.tool,
          arguments: args,
          redactions: secret ? [{ path: "/note", kind: "secret", pattern: "github_token" }] : [],
          reasons: trifecta
            ? [{ policy: "lethal-trifecta", message: "external communication in a session that read PII and ingested untrusted content" }]
            : [{ policy: "allow-approved-low-medium", message: "approved tools of low or medium risk are allowed" }],
          errors: [],
          policy_version: "mcp@v1",
          latency_us: 300,
          delegation: null,
          approval: null,
          shadow: null,
        },
      });
      if (outcome === "allow" && t.label && !labels.includes(t.label)) labels = [...labels, t.label].sort();
      if (buf.length >= 5000) await flush();
    }
  }
  if (buf.length) await flush();
  await pool.query(
    `INSERT INTO sessions (id, agent_id, step_count, started_at, last_activity_at)
     SELECT id, agent_id, ${opts.steps}, started_at, started_at FROM jsonb_to_recordset($1::jsonb) AS x(id text, agent_id uuid, started_at timestamptz) ON CONFLICT DO NOTHING`,
    [JSON.stringify(sessionRows)],
  );
  return n;
}
