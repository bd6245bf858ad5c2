/**
 * The decision workload shared by every target: requests spread over 1,000 sessions, a tool mix that
 * yields allows, denies (lethal trifecta, unapproved tool) and approval requests. The mix and the
 * sessions are the same for Mandate and Cerbos; Cerbos, being stateless, is sent the session state that
 * the client tracks, Mandate keeps it itself.
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

export function pickTool(r: () => number): ToolPick {
  let n = r() * total;
  for (const t of MIX) {
    n -= t.weight;
    if (n < 0) return t;
  }
  return MIX[0];
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
export function cerbosBody(agent: string, tool: ToolPick, sessionLabels: string[], requestId: string): string {
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
            args: tool.args,
          },
        },
      },
    ],
  });
}
