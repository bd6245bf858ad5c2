export { suggestClassification, tokenize, isSensitiveProperty } from "./suggest-classification.ts";
export type {
  Effect,
  Risk,
  SuggestedClassification,
  ToolAnnotationsInput,
  ToolDefinitionInput,
} from "./suggest-classification.ts";
export { definitionHash, type HashableToolDefinition } from "./definition-hash.ts";
