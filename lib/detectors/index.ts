/**
 * Detection of labels in what flows through the gateway: see docs/gateway.md, "Labels from what actually
 * flowed". (Types and the detector list are exported from inspect.ts and registry.ts; re-export them
 * here when the gateway needs them.)
 */
export { inspectResult, DEFAULT_MAX_CHARS } from "./inspect.ts";
export { LABEL_NAME } from "./meta-labels.ts";
