export {
  redactArguments,
  MAX_DEPTH,
  MAX_STRING,
  MAX_TOTAL,
  TRUNCATED_VALUE,
  type Redaction,
  type RedactOptions,
  type RedactResult,
} from "./redact-arguments.ts";
export { redactSecretsInText, secretKeyKind, MARKER_PREFIX, type SecretKind } from "./secret-patterns.ts";
export { redactText } from "./redact-text.ts";
