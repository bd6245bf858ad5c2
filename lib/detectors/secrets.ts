/**
 * Secret detector: the redaction patterns of lib/redaction/secret-patterns.ts (cloud and SaaS keys,
 * JWTs, bearer tokens, PEM private keys, passwords in URLs, credential assignments, Mandate's own keys),
 * tested against the redaction corpus. Counts the secrets found; the redacted text is thrown away.
 */
import { MARKER_PREFIX, redactSecretsInText } from "../redaction/secret-patterns.ts";

/** Number of secrets in `text`. */
export function countSecrets(text: string): number {
  const found = redactSecretsInText(text);
  if (found.kinds.length === 0) return 0;
  return occurrences(found.text, MARKER_PREFIX) - occurrences(text, MARKER_PREFIX);
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n += 1;
  return n;
}
