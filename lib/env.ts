/**
 * The one place where Mandate reads its environment. Every variable is validated with zod; a wrong
 * value stops start-up with a message naming the variable. Read elsewhere, by design: NEXTAUTH_SECRET
 * and NEXTAUTH_URL, which server/main.ts sets in process.env for next-auth (a generated secret) after
 * this may have been parsed, and the build switch MANDATE_SKIP_BUILD of cli/ensure-built.ts.
 */
import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional(),
  MANDATE_DATA_DIR: z.string().default(".mandate"),
  MANDATE_MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=_-]{43,88}$/, "must be 32 random bytes, base64 or base64url")
    .optional(),
  MANDATE_NODE_NAME: z.string().max(100).optional(),
  MANDATE_PUBLIC_URL: z.string().url().optional(),
  /** A node signs its own chains' heads this often (only chains that moved): the truncation window. */
  MANDATE_CHECKPOINT_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(1),
  /** Every chain's head as stored (including CLI chains), this often (only when something moved). */
  MANDATE_CHECKPOINT_FULL_INTERVAL_S: z.coerce.number().int().min(1).default(60),
  MANDATE_CHECKPOINT_WEBHOOK: z.string().url().optional(),
  MANDATE_APPROVAL_TTL_S: z.coerce.number().int().min(10).default(900),
  MANDATE_APPROVAL_WEBHOOK: z.string().url().optional(),
  MANDATE_APPROVAL_WEBHOOK_FORMAT: z.enum(["json", "slack"]).default("json"),
  /**
   * Data-plane processes of this node (node:cluster, one port): unset or `1`, the single-process layout (the console, the data plane and the
   * node's duties in one process). `mandate start --dev` always runs one.
   */
  MANDATE_DATA_PLANE_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  MANDATE_CEDAR_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /**
   * Where receipts are signed (lib/delegation/receipts.ts): `thread` (a worker thread), `inline` (on
   * the event loop), `auto`: inline in a node:cluster worker (every core already runs an event loop),
   * else on the thread.
   */
  MANDATE_RECEIPT_SIGNING: z.enum(["auto", "thread", "inline"]).default("auto"),
  /** Unset: defaultAuditChains() (1 on machines with up to 2 CPUs, else 2). */
  MANDATE_AUDIT_CHAINS: z.coerce.number().int().min(1).max(16).optional(),
  /** `0`: a data-plane-only node (`mandate start --no-console`). */
  MANDATE_CONSOLE: z
    .enum(["0", "1"], { message: "must be 0 or 1" })
    .default("1")
    .transform((v) => v === "1"),
  /** The exact decision cache (lib/policy/decision-cache.ts): `0` turns it off. */
  MANDATE_DECISION_CACHE: z
    .enum(["0", "1"], { message: "must be 0 or 1" })
    .default("1")
    .transform((v) => v === "1"),
  /** The least severe level of the node's JSON log lines written (lib/telemetry/log.ts). */
  MANDATE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * Workload identity federation (lib/identity/federation): an issuer's JWKS is fetched again on an
   * unknown `kid` at most once per this many seconds; issued access tokens live at most this long.
   */
  MANDATE_FEDERATION_JWKS_COOLDOWN_S: z.coerce.number().int().min(1).max(3600).default(30),
  MANDATE_FEDERATION_TOKEN_TTL_S: z.coerce.number().int().min(10).max(900).default(900),
  /**
   * The longest lifetime, in days, of a static credential (lib/identity/key-lifetime.ts): no request can
   * exceed it. MANDATE_MAX_KEY_DAYS applies to every kind; the per-kind settings override it.
   */
  MANDATE_MAX_KEY_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  MANDATE_MAX_AGENT_KEY_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  MANDATE_MAX_TOKEN_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  MANDATE_MAX_PEP_KEY_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  /**
   * Public keys that sign leak reports (POST /api/v1/keys/report-leak), in GitHub's format
   * (`{"public_keys": [{key_identifier, key, is_current}]}`): an https/http URL (GitHub's is
   * https://api.github.com/meta/public_keys/secret_scanning) or a file path. Unset: only admins report.
   */
  MANDATE_LEAK_REPORT_KEYS: z.string().min(1).optional(),
  /**
   * Prometheus `GET /metrics` of the whole node on its own listener (`host:port`; port 0: any free port, logged;
   * `off`: none). Loopback by default: no credential is asked there (server/metrics-endpoint.ts).
   */
  MANDATE_METRICS_LISTEN: z
    .string()
    .default("127.0.0.1:9464")
    .refine((v) => v === "off" || parseListenAddress(v) !== null, "must be host:port (port 0: any free port) or off"),
  /** Set: `GET /metrics` on the node's main port too, with `Authorization: Bearer <this>` (no loopback exemption). */
  MANDATE_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(512).optional(),
  /** Audit retention (lib/audit/retention.ts): set, month partitions entirely older than this many days are archived daily (one node). */
  MANDATE_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** Where `mandate audit archive` writes and `mandate audit verify` reads the archives (default: <data dir>/audit-archive). */
  MANDATE_AUDIT_ARCHIVE_DIR: z.string().min(1).optional(),
  /** Audit sinks (lib/sinks/deliverer.ts): the longest back-off after a failed send, and the refusals (4xx) of one entry before it is dead-lettered. */
  MANDATE_SINK_MAX_BACKOFF_S: z.coerce.number().min(1).max(3600).default(60),
  MANDATE_SINK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** `mandate sinks add` without --token-file: the sink's token (kept out of the command line and the shell history). */
  MANDATE_SINK_TOKEN: z.string().min(1).max(4096).optional(),
  /** A Chromium binary: `GET /api/v1/posture/report?format=pdf` prints the HTML report with it (unset: 501). */
  MANDATE_CHROMIUM: z.string().min(1).optional(),
  /** Console sign-in throttling (lib/auth/throttle.ts): failures per account / per source address within the window. */
  MANDATE_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10),
  MANDATE_LOGIN_MAX_SOURCE_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  MANDATE_LOGIN_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Reverse proxies whose X-Forwarded-For is believed (comma-separated IP addresses). */
  MANDATE_TRUSTED_PROXIES: z
    .string()
    .optional()
    .refine((v) => (v ?? "").split(",").every((a) => !a.trim() || isIP(a.trim()) !== 0), "must be comma-separated IP addresses"),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_ROLE_CLAIM: z.string().default("groups"),
  OIDC_ROLE_MAP: z.string().optional(),
  OIDC_SCOPES: z.string().default("openid email profile groups"),
  /** The sign-in button's label. */
  OIDC_DISPLAY_NAME: z.string().max(100).default("Single sign-on"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type Env = z.infer<typeof schema> & { dataDir: string };

/** `host:port` or `[v6]:port` → its parts; null if it is not one. */
export function parseListenAddress(v: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(v);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  const host = m[1] ?? m[2];
  if (m[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  cached = { ...parsed.data, dataDir: resolve(parsed.data.MANDATE_DATA_DIR) };
  return cached;
}
