export { redactArguments, MAX_DEPTH, MAX_STRING, MAX_TOTAL, TRUNCATED_VALUE, type Redaction } from "./redact-arguments.ts";
export { secretKeyKind } from "./secret-patterns.ts";
export { redactText } from "./redact-text.ts";
