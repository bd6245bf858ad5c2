/**
 * Redaction of tool-call arguments before they are stored or logged (hot path: one call per decision).
 *
 * - Values of the tool's sensitive arguments (its approved `sensitiveArgs`, matched by key name at any
 *   depth) become "sha256:<hex>" of their canonical JSON, so equal values can be correlated without
 *   being stored.
 * - Strings under credential-like keys (password, api_key, token, authorization…) that look like real
 *   credentials become "[REDACTED:password]" / "[REDACTED:generic_secret]".
 * - Secrets inside any string (cloud and SaaS keys, JWTs, bearer tokens, PEM private keys, passwords in
 *   URLs, Mandate's own keys) are replaced in place by "[REDACTED:<kind>]".
 * - Storage safety: NUL characters and lone UTF-16 surrogates (both rejected by PostgreSQL jsonb) are
 *   removed/replaced, long strings are truncated, very deep or very large inputs are cut with a marker.
 *
 * The structure is preserved (same keys, same array lengths) and redaction is idempotent.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../util/canonical-json.ts";
import { looksLikeSecretValue, marker, redactSecretsInText, secretKeyKind, type SecretKind } from "./secret-patterns.ts";

export interface Redaction {
  /** JSON Pointer (RFC 6901) of the redacted value, e.g. "/headers/Authorization". */
  path: string;
  kind: "secret" | "sensitive";
  /** What was found, for "secret": e.g. "aws_access_key", "url_password". */
  pattern?: SecretKind;
}

export interface RedactOptions {
  /** Argument names whose values are replaced by their hash (matched case-insensitively at any depth). */
  sensitiveArgs: string[];
}

export interface RedactResult {
  redacted: unknown;
  redactions: Redaction[];
}

/** Longest string kept (in UTF-16 code units, marker included). */
export const MAX_STRING = 8192;
/** Total string content kept across one argument object; later strings become TRUNCATED_VALUE. */
export const MAX_TOTAL = 256 * 1024;
export const MAX_DEPTH = 64;
export const TRUNCATED_VALUE = "[TRUNCATED]";
const DEPTH_MARKER = "[TRUNCATED:depth]";
/** How far beyond MAX_STRING a long string is still scanned (so a secret across the cut is found). */
const SCAN_MARGIN = 1024;
const HASHED = /^sha256:[0-9a-f]{64}$/;

interface Walk {
  sensitive: Set<string>;
  redactions: Redaction[];
  budget: number;
}

export function redactArguments(args: unknown, opts: RedactOptions): RedactResult {
  const walk: Walk = {
    sensitive: new Set(opts.sensitiveArgs.map((a) => a.toLowerCase())),
    redactions: [],
    budget: MAX_TOTAL,
  };
  const redacted = visit(args, "", 0, walk);
  return { redacted, redactions: walk.redactions };
}

function visit(value: unknown, path: string, depth: number, walk: Walk): unknown {
  if (typeof value === "string") return visitString(value, path, null, walk);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return DEPTH_MARKER;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = visit(value[i], `${path}/${i}`, depth + 1, walk);
    return out;
  }
  if (value instanceof Date) return value;
  const entries: Array<[string, unknown]> = [];
  for (const rawKey of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[rawKey];
    const key = rawKey.includes("\u0000") ? rawKey.replaceAll("\u0000", "") : rawKey;
    const childPath = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (walk.sensitive.size > 0 && walk.sensitive.has(key.toLowerCase())) {
      entries.push([key, hashValue(child, childPath, walk)]);
    } else if (typeof child === "string") {
      entries.push([key, visitString(child, childPath, secretKeyKind(key), walk)]);
    } else {
      entries.push([key, visit(child, childPath, depth + 1, walk)]);
    }
  }
  return Object.fromEntries(entries); // defines "__proto__" as an own key instead of setting the prototype
}

function hashValue(value: unknown, path: string, walk: Walk): unknown {
  if (value === undefined) return value;
  if (typeof value === "string" && HASHED.test(value)) return value;
  let text: string;
  try {
    text = canonicalJson(value);
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any stable text will do: it is only hashed
    text = String(value); // not JSON (e.g. cyclic): still hash something stable rather than store it
  }
  walk.redactions.push({ path, kind: "sensitive" });
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

function visitString(raw: string, path: string, keyKind: "password" | "generic_secret" | null, walk: Walk): string {
  if (walk.budget <= 0) return TRUNCATED_VALUE;
  const clipped = raw.length > MAX_STRING + SCAN_MARGIN;
  let s = sanitize(clipped ? raw.slice(0, MAX_STRING + SCAN_MARGIN) : raw);
  if (keyKind && looksLikeSecretValue(s, keyKind)) {
    walk.redactions.push({ path, kind: "secret", pattern: keyKind });
    s = marker(keyKind);
  } else if (s.length >= 8) {
    const found = redactSecretsInText(s);
    s = found.text;
    const kinds = new Set(found.kinds);
    if (clipped || s.length > MAX_STRING) {
      // Scan again after the cut: a secret cut in half must not become detectable (or leak) only now.
      const again = redactSecretsInText(truncate(s, raw.length));
      s = again.text;
      for (const k of again.kinds) kinds.add(k);
    }
    for (const pattern of kinds) walk.redactions.push({ path, kind: "secret", pattern });
  }
  walk.budget -= s.length;
  return s;
}

/** Mark as truncated within MAX_STRING code units (marker included), cutting at a word boundary when one is near. */
function truncate(s: string, originalLength: number): string {
  const tail = `…[TRUNCATED:${originalLength} chars]`;
  if (s.length + tail.length <= MAX_STRING) return s + tail;
  let cut = MAX_STRING - tail.length;
  const boundary = s.slice(cut - 512, cut).search(/[\s,;][^\s,;]*$/);
  if (boundary >= 0) cut = cut - 512 + boundary + 1; // drop a partial word (it might be half a secret)
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // do not split a surrogate pair
  return s.slice(0, cut) + tail;
}

/** Remove NUL and replace lone surrogates: PostgreSQL jsonb rejects both. */
function sanitize(s: string): string {
  let out = s.includes("\u0000") ? s.replaceAll("\u0000", "") : s;
  const wellFormed = out as string & { isWellFormed?: () => boolean; toWellFormed?: () => string };
  if (wellFormed.isWellFormed && !wellFormed.isWellFormed()) out = wellFormed.toWellFormed();
  return out;
}
