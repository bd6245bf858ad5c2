/**
 * The decision workload shared by every target: requests spread over 1,000 sessions, a tool mix that
 * yields allows, denies (lethal trifecta, unapproved tool) and approval requests. The mix and the
 * sessions are the same for Mandate and Cerbos; Cerbos, being stateless, is sent the session state that
 * the client tracks, Mandate keeps it itself.
 *
 * Arguments vary per call (the first string argument gets a per-call suffix): the default policy `loop`
 * denies the 11th identical call in a session within 60 s, and a benchmark of identical calls would
 * measure loop denials. The agents' ceiling (`rate`, 600 calls/min in the default policy) is raised to
 * BENCH_CEILING on the benchmarked node (bench/lib/targets.ts), the same literal in the Cerbos mirror, so
 * that both measure decisions, not denials; both still evaluate the two policies on every call (Mandate
 * keeps the counters itself, in the session row and per process; Cerbos is sent them by the client, as
 * it is sent the session labels).
 */
import { DEMO_SERVERS } from "../../examples/mcp-servers/definitions.ts";

export interface ToolPick {
  server: string;
  name: string;
  args: Record<string, unknown>;
  weight: number;
}

export const MIX: ToolPick[] = [
  { server: "files", name: "read_file", args: { path: "notes/plan.md" }, weight: 38 },
  { server: "crm", name: "get_customer", args: { customer_id: "c-1001" }, weight: 18 },
  { server: "web", name: "fetch_url", args: { url: "https://example.com/article" }, weight: 14 },
  { server: "mail", name: "send_email", args: { to: "partner@example.com", subject: "Summary", body: "See attached notes." }, weight: 12 },
  { server: "files", name: "delete_file", args: { path: "tmp/old.log" }, weight: 8 },
  { server: "crm", name: "export_customers", args: { format: "csv" }, weight: 5 },
  { server: "files", name: "write_file", args: { path: "notes/out.md", content: "hello" }, weight: 5 },
];

const total = MIX.reduce((a, b) => a + b.weight, 0);

/** Deterministic pseudo-random sequence (xorshift) so runs are comparable. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** The per-agent ceiling on the benchmarked nodes and in the Cerbos mirror (calls a minute). */
export const BENCH_CEILING = 1_000_000_000;

function pickFromMix(r: () => number): ToolPick {
  let n = r() * total;
  for (const t of MIX) {
    n -= t.weight;
    if (n < 0) return t;
  }
  return MIX[0];
}

/** A tool of the mix, with its first string argument made unique to this call (see the head comment). */
export function pickTool(r: () => number): ToolPick {
  const t = pickFromMix(r);
  const first = Object.keys(t.args).find((k) => typeof t.args[k] === "string");
  if (!first) return t;
  return { ...t, args: { ...t.args, [first]: `${t.args[first] as string}#${Math.floor(r() * 1e9)}` } };
}

/** What Cerbos is sent of the counters Mandate keeps itself (computed by the client; see cerbosBody). */
export interface ClientCounters {
  identicalCalls: number;
  agentMinute: number;
}

const RISK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface ToolClass {
  status: string;
  effect: string;
  risk: string;
  labels: string[];
}

export const CLASSIFICATION: Map<string, ToolClass> = new Map(
  DEMO_SERVERS.flatMap((s) =>
    s.tools.map((t) => [
      `${s.server}/${t.definition.name}`,
      { status: t.status, effect: t.classification.effect, risk: t.classification.risk, labels: t.classification.labels },
    ]),
  ),
);

/** The Cerbos request for one call, with the client-tracked session labels. */
export function cerbosBody(agent: string, tool: ToolPick, sessionLabels: string[], requestId: string, counters: ClientCounters): string {
  const c = CLASSIFICATION.get(`${tool.server}/${tool.name}`)!;
  const approved = c.status === "approved";
  return JSON.stringify({
    requestId,
    principal: { id: agent, roles: ["agent"], attr: { team: "bench" } },
    resources: [
      {
        actions: ["tools/call"],
        resource: {
          kind: "tool",
          id: `${tool.server}/${tool.name}`,
          attr: {
            status: c.status,
            effect: approved ? c.effect : "unknown",
            riskLevel: approved ? RISK[c.risk] : 3,
            labels: approved ? c.labels : [],
            sessionLabels,
            approvalGranted: false,
            delegationDepth: 0,
            identicalCalls: counters.identicalCalls,
            agentMinute: counters.agentMinute,
            args: tool.args,
          },
        },
      },
    ],
  });
}

/**
 * The counters the client sends Cerbos (Mandate keeps them itself): identical calls of a session in the
 * last 60 s and the agent's calls in the last minute, counting the calls the mix's classification allows.
 */
export class ClientCounterTracker {
  private identical = new Map<string, number[]>();
  private agents = new Map<string, Map<number, number>>();
  private calls = 0;

  next(session: number, agent: string, tool: ToolPick, allowed: boolean): ClientCounters {
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    const key = `${session} ${tool.server}/${tool.name} ${JSON.stringify(tool.args)}`;
    const times = (this.identical.get(key) ?? []).filter((t) => t > now - 60_000);
    const buckets = this.agents.get(agent) ?? new Map<number, number>();
    this.agents.set(agent, buckets);
    let agentMinute = 0;
    for (const [s, n] of buckets) if (s > sec - 60) agentMinute += n;
    const out = { identicalCalls: times.length, agentMinute };
    if (allowed) {
      times.push(now);
      this.identical.set(key, times);
      buckets.set(sec, (buckets.get(sec) ?? 0) + 1);
    }
    if (++this.calls % 10_000 === 0) {
      for (const [k, t] of this.identical) if (t[t.length - 1] <= now - 60_000) this.identical.delete(k);
      for (const b of this.agents.values()) for (const s of b.keys()) if (s <= sec - 60) b.delete(s);
    }
    return out;
  }
}
