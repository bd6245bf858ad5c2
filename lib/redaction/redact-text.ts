/**
 * Redaction of free text that agents send (outcome events' `error`): the secrets found in it are
 * replaced in place by "[REDACTED:<kind>]" with the same detectors as string arguments
 * (secret-patterns.ts, tested against the committed corpus), and each kind found is reported as a
 * redaction at `path`, like those of arguments.
 */
import type { Redaction } from "./redact-arguments.ts";
import { redactSecretsInText } from "./secret-patterns.ts";

export function redactText(text: string, path: string): { text: string; redactions: Redaction[] } {
  const found = redactSecretsInText(text);
  return { text: found.text, redactions: found.kinds.map((pattern) => ({ path, kind: "secret", pattern })) };
}
