/**
 * The pure part of the history generator (scripts/seed-history.ts): a seeded PRNG, agent personas
 * (which tools each agent tends to call), realistic arguments, and an emulation of the default policy
 * set so that generated outcomes and reasons look like what Mandate decides (the trifecta deny after
 * pii + untrusted_content, approvals for destructive tools, unapproved and unknown tools denied).
 */

export interface SimTool {
  key: string;
  status: string;
  effect: string | null;
  risk: string | null;
  labels: string[];
  blocked: boolean;
}

export type Rand = () => number;

/** mulberry32: small, fast, reproducible. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)];

export function weighted<T extends string>(r: Rand, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as Array<[T, number]>;
  let x = r() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) {
    x -= w;
    if (x <= 0) return k;
  }
  return entries[entries.length - 1][0];
}

/** Log-normal sample with the given median and spread (sigma). */
export function logNormal(r: Rand, median: number, sigma: number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** Which tools each persona calls, by weight. Unknown keys fall back to DEFAULT_PERSONA. */
export const PERSONAS: Record<string, Record<string, number>> = {
  "support-assistant": {
    "crm/get_customer": 30,
    "web/fetch_url": 20,
    "mail/send_email": 14,
    "crm/update_customer": 10,
    "files/read_file": 8,
    "crm/export_customers": 2,
  },
  "research-subagent": { "web/fetch_url": 60, "files/read_file": 10, "mail/send_email": 4 },
  "ops-agent": { "files/read_file": 40, "files/write_file": 25, "files/delete_file": 6, "web/fetch_url": 8, "shell/exec": 1 },
  "billing-bot": { "crm/get_customer": 40, "crm/update_customer": 20, "mail/send_email": 15, "crm/export_customers": 3 },
  "hr-assistant": { "crm/get_customer": 15, "files/read_file": 30, "files/write_file": 10, "mail/send_email": 10 },
  "code-reviewer": { "files/read_file": 60, "files/write_file": 15, "web/fetch_url": 15, "files/delete_file": 2, "shell/exec": 2 },
  "data-analyst": { "crm/export_customers": 4, "crm/get_customer": 25, "files/write_file": 20, "web/fetch_url": 10, "mail/send_email": 5 },
};
export const DEFAULT_PERSONA = { "files/read_file": 50, "web/fetch_url": 30, "mail/send_email": 10, "files/write_file": 10 };
export const EXTRA_AGENTS = [
  { name: "billing-bot", team: "finance", description: "Reconciles invoices and emails customers about billing." },
  { name: "hr-assistant", team: "people", description: "Answers HR questions from the shared drive." },
  { name: "code-reviewer", team: "platform", description: "Reviews pull requests and fetches documentation." },
  { name: "data-analyst", team: "analytics", description: "Builds reports from CRM data." },
];
export const INITIATORS = [
  "alice@example.com",
  "bob@example.com",
  "carol@example.com",
  "dan@example.com",
  "erin@example.com",
  "frank@example.com",
  "grace@example.com",
  "heidi@example.com",
  "ivan@example.com",
  "judy@example.com",
];
export const APPROVERS = ["user:sam.analyst@example.com", "user:admin@mandate.local", "user:tara.secops@example.com"];
/** The console role each approver decides with (recorded in approval entries). */
export const APPROVER_ROLE: Record<string, "admin" | "analyst"> = {
  "user:sam.analyst@example.com": "analyst",
  "user:admin@mandate.local": "admin",
  "user:tara.secops@example.com": "admin",
};

export function argumentsFor(r: Rand, tool: string): Record<string, unknown> {
  const n = Math.floor(r() * 100000);
  switch (tool) {
    case "files/read_file":
      return { path: pick(r, ["reports/q3.md", "notes/todo.txt", "src/app.ts", `tickets/T-${n}.json`, ".env"]) };
    case "files/write_file":
      return {
        path: `out/report-${n}.md`,
        content: r() < 0.05 ? `aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY${n}EXAMPLEKEY"` : `Summary ${n}: all good.`,
      };
    case "files/delete_file":
      return { path: pick(r, ["tmp/cache.bin", `out/report-${n}.md`, "data/customers.csv"]) };
    case "crm/get_customer":
      return { customer_id: `c-${n}` };
    case "crm/update_customer":
      return { customer_id: `c-${n}`, fields: { status: pick(r, ["active", "churned", "vip"]) } };
    case "crm/export_customers":
      return { segment: pick(r, ["all", "eu", "vip"]), format: "csv" };
    case "web/fetch_url":
      return {
        url: pick(r, [
          "https://docs.example.com/api",
          "https://news.example.org/today",
          `https://kb.example.net/article/${n}`,
          "https://pastebin.example.com/raw/x1",
        ]),
      };
    case "mail/send_email":
      return {
        to: pick(r, ["customer@example.org", "partner@example.net", "team@example.com"]),
        subject: `Re: ticket ${n}`,
        body: "Hello, following up on your request.",
      };
    default:
      return { command: pick(r, ["ls -la", "cat /etc/passwd", "curl https://example.com"]) };
  }
}

export interface SimContext {
  tool: SimTool | undefined;
  toolKey: string;
  sessionLabels: string[];
  scopes: string[] | null;
  approvalGranted: boolean;
}

export interface SimDecision {
  outcome: "allow" | "deny" | "require_approval";
  reasons: Array<{ policy: string; message: string }>;
}

function scopeAllows(scopes: string[], key: string): boolean {
  const [server, name] = key.split("/");
  return scopes.some((s) => {
    const m = /^tool:([^/]+)\/(.+)$/.exec(s);
    return !!m && (m[1] === "*" || m[1] === server) && (m[2] === "*" || m[2] === name);
  });
}

/** The default policy set and built-in checks, as lib/decisions/decide.ts applies them. */
export function simulateDecision(c: SimContext): SimDecision {
  const deny = (policy: string, message: string): SimDecision => ({ outcome: "deny", reasons: [{ policy, message }] });
  const t = c.tool;
  if (!t) return deny("mandate.tool_unknown", `tool ${c.toolKey} is not in the inventory`);
  if (t.status === "rejected") return deny("mandate.tool_rejected", `tool ${c.toolKey} was rejected by an admin`);
  if (t.status !== "approved") return deny("mandate.tool_not_approved", `tool ${c.toolKey} is not approved yet (its classification is pending review)`);
  if (t.blocked) return deny("mandate.tool_blocked", `tool ${c.toolKey} is blocked`);
  if (c.scopes && !scopeAllows(c.scopes, c.toolKey)) {
    return deny("mandate.scope_exceeded", `tool ${c.toolKey} is outside the delegated scopes (${c.scopes.join(" ")})`);
  }
  if (t.labels.includes("external_comm") && c.sessionLabels.includes("pii") && c.sessionLabels.includes("untrusted_content")) {
    return deny("lethal-trifecta", "external communication in a session that read PII and ingested untrusted content");
  }
  if (t.effect === "destructive") {
    if (!c.approvalGranted)
      return { outcome: "require_approval", reasons: [{ policy: "destructive-needs-approval", message: "destructive tools need a human approval" }] };
    return {
      outcome: "allow",
      reasons: [{ policy: "allow-destructive-when-approved", message: "destructive tools are allowed once a human approves the call" }],
    };
  }
  if (t.risk === "low" || t.risk === "medium")
    return { outcome: "allow", reasons: [{ policy: "allow-approved-low-medium", message: "approved tools of low or medium risk are allowed" }] };
  return deny("mandate.default_deny", "no policy permits this call");
}

/** Splits `total` steps over `n` sessions: one long session of `long` steps, the rest heavy-tailed. */
export function stepCounts(r: Rand, n: number, total: number, long: number): number[] {
  if (n <= 0) return [];
  const longSteps = n > 1 && total >= long * 2 ? long : 0;
  const rest = total - longSteps;
  const others = longSteps ? n - 1 : n;
  const raw = Array.from({ length: others }, () => logNormal(r, 1, 1.1));
  const sum = raw.reduce((s, x) => s + x, 0);
  const counts = raw.map((x) => Math.max(1, Math.floor((x / sum) * rest)));
  let diff = rest - counts.reduce((s, x) => s + x, 0);
  // Spread the rounding remainder; stop when no session can give up a step (total < n).
  for (let i = 0, idle = 0; diff !== 0 && counts.length && idle < counts.length; i = (i + 1) % counts.length) {
    if (diff > 0) {
      counts[i]++;
      diff--;
      idle = 0;
    } else if (counts[i] > 1) {
      counts[i]--;
      diff++;
      idle = 0;
    } else idle++;
  }
  return longSteps ? [longSteps, ...counts] : counts;
}
