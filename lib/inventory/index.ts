export { suggestClassification, tokenize, isSensitiveProperty } from "./suggest-classification.ts";
export type { Effect, Risk } from "./suggest-classification.ts";
export { definitionHash } from "./definition-hash.ts";
