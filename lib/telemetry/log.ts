/**
 * The node's log: one JSON object per line on stderr, `{"time","level","msg","process", …fields}`
 * (`request_id` where a request is known, `component` for the part that speaks, `trace_id` and
 * `span_id` when written inside a traced request). Lines below
 * MANDATE_LOG_LEVEL (debug < info < warn < error; default info) are not written.
 *
 * Never a secret: every string written (the message and each field) goes through the redaction
 * detectors of lib/redaction (API keys and tokens of Mandate and of common providers, JWTs, bearer
 * credentials, passwords in URLs, private keys), and fields whose name says they hold a secret
 * (`token`, `password`, `secret`, `authorization`, `key`…) are replaced whole. The CLI's output to its
 * user is not this log (it prints plain text).
 */
import { redactSecretsInText } from "../redaction/secret-patterns.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /(token|password|passwd|secret|authorization|cookie|api_?key|master_?key|credential)/i;

let minimum: number | null = null;
let processName = "main";
let write: (line: string) => void = (line) => void process.stderr.write(line);

/** This process's name in every line (`main`, or `w<i>` for data-plane worker i). */
export function setLogProcess(name: string): void {
  processName = name;
}

/** Tests: where lines go, and the level (null: MANDATE_LOG_LEVEL again). */
export function setLogOutput(to: ((line: string) => void) | null, level: LogLevel | null = null): void {
  write = to ?? ((line) => void process.stderr.write(line));
  minimum = level ? RANK[level] : null;
}

function threshold(): number {
  if (minimum === null) {
    // Read directly, not through env(): a logger must work while the configuration is being refused.
    const v = process.env.MANDATE_LOG_LEVEL as LogLevel | undefined;
    minimum = v && v in RANK ? RANK[v] : RANK.info;
  }
  return minimum;
}

export function logEnabled(level: LogLevel): boolean {
  return RANK[level] >= threshold();
}

const clean = (s: string): string => redactSecretsInText(s).text;

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return clean(value);
  if (value instanceof Error) return clean(value.stack ?? `${value.name}: ${value.message}`);
  if (value === null || typeof value !== "object") return value;
  if (depth > 4) return "[…]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && v != null ? "[REDACTED]" : scrub(v, depth + 1);
  return out;
}

let context: (() => LogFields | undefined) | null = null;

/** Fields every line gets from where it is written (traces on: `trace_id`, `span_id` of the active span; lib/telemetry/tracing.ts). */
export function setLogContext(fn: (() => LogFields | undefined) | null): void {
  context = fn;
}

/** Writes one line (if `level` is at or above the threshold). */
export function logLine(level: LogLevel, msg: string, fields?: LogFields): void {
  if (!logEnabled(level)) return;
  const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: clean(msg), process: processName };
  if (context) Object.assign(line, context());
  if (fields)
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && !(k in line)) line[k] = SECRET_FIELD.test(k) && v !== null ? "[REDACTED]" : scrub(v);
  write(`${JSON.stringify(line)}\n`);
}

export const logger = {
  debug: (msg: string, fields?: LogFields) => logLine("debug", msg, fields),
  info: (msg: string, fields?: LogFields) => logLine("info", msg, fields),
  warn: (msg: string, fields?: LogFields) => logLine("warn", msg, fields),
  error: (msg: string, fields?: LogFields) => logLine("error", msg, fields),
};

/** The same logger with fixed fields (e.g. `{ component: "change-feed" }`). */
export function childLogger(fixed: LogFields): typeof logger {
  return {
    debug: (msg, fields) => logLine("debug", msg, { ...fixed, ...fields }),
    info: (msg, fields) => logLine("info", msg, { ...fixed, ...fields }),
    warn: (msg, fields) => logLine("warn", msg, { ...fixed, ...fields }),
    error: (msg, fields) => logLine("error", msg, { ...fixed, ...fields }),
  };
}
