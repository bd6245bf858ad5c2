/**
 * Labels a server attaches to what it returns, in `_meta`:
 *
 * - `_meta["mandate/labels"]`: an array of Mandate label names (same syntax as the inventory's labels:
 *   lowercase letters, digits, "_", 1–50 characters). Other entries are ignored and reported.
 * - `_meta.ifc`: the information-flow-control label used by GitHub's MCP server (pkg/ifc:
 *   `{ integrity: "trusted" | "untrusted", confidentiality: ["public"] | [reader logins…] }`, or in its
 *   readers-lattice serialisation `{ integrity: "high" | "low", confidentiality: [...] }`) and read by
 *   Microsoft agent-framework's FIDES (`ContentLabel`: `{ integrity: "trusted" | "untrusted",
 *   confidentiality: "public" | "private" | "user_identity" }`; its GitHub parser also takes per-field
 *   labels `{ labels: { body: { integrity: "low" | "medium" | "high", confidentiality: [...] } } }`).
 *   An array of such labels, or a per-field map, is joined (most restrictive wins). Mapping:
 *     integrity untrusted | low | medium        → untrusted_content
 *     integrity trusted | high | absent         → (nothing)
 *     integrity anything else                   → untrusted_content (fail closed), reported
 *     confidentiality "public" / ["public"]     → (nothing)
 *     confidentiality private | internal | confidential | user_identity, any other list
 *       (readers), or an empty list            → confidential
 *     confidentiality anything else             → confidential (fail closed), reported
 *   IFC has no notion of personal data or credentials: `pii` and `secrets` come from the detectors or
 *   from `mandate/labels`, never from `ifc`.
 *
 * Server labels only add labels; nothing a server says removes one.
 */

/** A label name, as the inventory accepts them (lib/inventory/tools-admin.ts `labelSchema`). */
export const LABEL_NAME = /^[a-z0-9_]{1,50}$/;
const MAX_META_LABELS = 50;

export type MetaKey = "mandate/labels" | "ifc";

export interface MetaLabel {
  label: string;
  key: MetaKey;
}

export interface MetaIgnored {
  key: MetaKey;
  reason: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Labels found in one `_meta` object (anything else than an object gives nothing). */
export function metaLabels(meta: unknown, labels: MetaLabel[], ignored: MetaIgnored[]): void {
  if (!isObject(meta)) return;
  const declared = meta["mandate/labels"];
  if (declared !== undefined) mandateLabels(declared, labels, ignored);
  const ifc = meta.ifc;
  if (ifc !== undefined) ifcLabels(ifc, labels, ignored, true);
}

function mandateLabels(value: unknown, labels: MetaLabel[], ignored: MetaIgnored[]): void {
  const key = "mandate/labels";
  if (!Array.isArray(value)) {
    ignored.push({ key, reason: "not an array of label names" });
    return;
  }
  if (value.length > MAX_META_LABELS) ignored.push({ key, reason: `more than ${MAX_META_LABELS} labels; the rest were ignored` });
  value.slice(0, MAX_META_LABELS).forEach((label, i) => {
    if (typeof label === "string" && LABEL_NAME.test(label)) labels.push({ label, key });
    else ignored.push({ key, reason: `entry ${i} is not a label name (lowercase letters, digits, _; 1-50 characters)` });
  });
}

const UNTRUSTED = new Set(["untrusted", "low", "medium"]);
const TRUSTED = new Set(["trusted", "high"]);
const PRIVATE = new Set(["private", "internal", "confidential", "user_identity"]);

function ifcLabels(value: unknown, labels: MetaLabel[], ignored: MetaIgnored[], top: boolean): void {
  const key = "ifc";
  if (top && Array.isArray(value)) {
    for (const one of value.slice(0, 100)) ifcLabels(one, labels, ignored, false);
    return;
  }
  if (!isObject(value)) {
    ignored.push({ key, reason: "not an object" });
    return;
  }
  if (top && value.integrity === undefined && value.confidentiality === undefined && isObject(value.labels)) {
    for (const one of Object.values(value.labels).slice(0, 100)) ifcLabels(one, labels, ignored, false);
    return;
  }
  const integrity = value.integrity;
  if (typeof integrity === "string" && UNTRUSTED.has(integrity.toLowerCase())) labels.push({ label: "untrusted_content", key });
  else if (integrity !== undefined && !(typeof integrity === "string" && TRUSTED.has(integrity.toLowerCase()))) {
    labels.push({ label: "untrusted_content", key });
    ignored.push({ key, reason: "unknown integrity value; treated as untrusted" });
  }
  const conf = value.confidentiality;
  if (conf === undefined) return;
  if (typeof conf === "string") {
    const c = conf.toLowerCase();
    if (c === "public") return;
    labels.push({ label: "confidential", key });
    if (!PRIVATE.has(c)) ignored.push({ key, reason: "unknown confidentiality value; treated as confidential" });
    return;
  }
  if (Array.isArray(conf) && conf.every((r) => typeof r === "string")) {
    // Public is exactly ["public"] (GitHub's ReaderSetFromList, FIDES): any other list names readers.
    if (!(conf.length === 1 && conf[0].toLowerCase() === "public")) labels.push({ label: "confidential", key });
    return;
  }
  labels.push({ label: "confidential", key });
  ignored.push({ key, reason: "unknown confidentiality value; treated as confidential" });
}
