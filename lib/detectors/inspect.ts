/**
 * Inspection of what an MCP server hands over before the agent sees it (issue 15 §2): collects the text
 * that reaches the model from a result (or a server-initiated request), runs the detectors once over it,
 * and reads the labels the server attached in `_meta` (meta-labels.ts). Returns label names and their
 * provenance (detector and count, or `_meta` key), never a matched value.
 *
 * What is read, per method:
 * - tools/call: `content[]` (text; embedded resource text; resource_link uri/name/title/description;
 *   unknown block types: their strings), `structuredContent` (every string, keys included);
 * - resources/read: `contents[].text`;
 * - prompts/get: `description`, `messages[].content` (one block or an array of blocks);
 * - sampling/createMessage (the request's params): `systemPrompt`, `messages[].content`;
 * - elicitation/create (params): `message`;
 * - any other method: every string of the object except `_meta`, `blob` and `data`.
 * Binary data (`blob`, image/audio `data`) is never scanned. `_meta` is read for labels on the result
 * (or params), on each content block, embedded resource, resource contents item and message.
 *
 * Size bound: at most `maxChars` UTF-16 code units of text are inspected (default 1 MiB worth, 1,048,576);
 * past it the remaining text is not inspected and `truncated` is true (also when the object nests deeper
 * than 64 levels). `_meta` labels are still read everywhere. What to do with a truncated inspection
 * (e.g. withhold, or add a label) is the caller's decision.
 */
import { DETECTORS, type DetectorName } from "./registry.ts";
import { metaLabels, type MetaIgnored, type MetaKey, type MetaLabel } from "./meta-labels.ts";

export const DEFAULT_MAX_CHARS = 1 << 20;
const MAX_DEPTH = 64;

export interface InspectOptions {
  /** Detector names, or label names (which turn off every detector yielding that label), to skip. */
  detectorsOff?: readonly string[];
  /** Most text inspected, in UTF-16 code units (default DEFAULT_MAX_CHARS). */
  maxChars?: number;
}

export interface Provenance {
  label: string;
  source: "detector" | "meta";
  detector?: DetectorName;
  /** Occurrences the detector found (detector provenance only). */
  count?: number;
  /** Which `_meta` key said so (meta provenance only). */
  key?: MetaKey;
}

export interface Ignored {
  key: MetaKey | "detectorsOff";
  reason: string;
}

export interface InspectResult {
  /** Sorted, unique. */
  labels: string[];
  provenance: Provenance[];
  /** True when some text was not inspected (over maxChars, or nested deeper than 64 levels). */
  truncated: boolean;
  inspectedChars: number;
  /** `_meta` entries that were not understood, and unknown `detectorsOff` names. */
  ignored: Ignored[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

class Collector {
  parts: string[] = [];
  chars = 0;
  truncated = false;
  metaFound: MetaLabel[] = [];
  ignored: MetaIgnored[] = [];
  constructor(private readonly max: number) {}

  text(value: unknown): void {
    if (typeof value !== "string" || value.length === 0) return;
    if (this.truncated) return;
    const room = this.max - this.chars;
    if (value.length > room) {
      this.truncated = true;
      if (room <= 0) return;
      value = value.slice(0, room);
    }
    this.parts.push(value as string);
    this.chars += (value as string).length;
  }

  meta(holder: unknown): void {
    if (isObject(holder) && holder._meta !== undefined) metaLabels(holder._meta, this.metaFound, this.ignored);
  }

  /** Every string (keys included) under `value`, skipping `_meta`, `blob` and `data`. */
  strings(value: unknown, keys = true): void {
    const stack: Array<[unknown, number]> = [[value, 0]];
    while (stack.length > 0) {
      const [v, depth] = stack.pop()!;
      if (typeof v === "string") this.text(v);
      else if (typeof v !== "object" || v === null) continue;
      else if (depth >= MAX_DEPTH) this.truncated = true;
      else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], depth + 1]);
      else
        for (const [k, child] of Object.entries(v)) {
          if (k === "_meta" || k === "blob" || k === "data") continue;
          if (keys) this.text(k);
          stack.push([child, depth + 1]);
        }
      if (this.truncated && this.chars >= this.max) return;
    }
  }

  resourceContents(r: unknown): void {
    if (!isObject(r)) return;
    this.meta(r);
    this.text(r.text);
  }

  block(b: unknown): void {
    if (!isObject(b)) return;
    this.meta(b);
    switch (b.type) {
      case "text":
        this.text(b.text);
        return;
      case "resource":
        this.resourceContents(b.resource);
        return;
      case "resource_link":
        for (const k of ["uri", "name", "title", "description"]) this.text(b[k]);
        return;
      case "image":
      case "audio":
        return;
      default:
        this.strings(b, false);
    }
  }

  blocks(content: unknown): void {
    if (Array.isArray(content)) for (const b of content) this.block(b);
    else this.block(content);
  }

  messages(messages: unknown): void {
    if (!Array.isArray(messages)) return;
    for (const m of messages) {
      if (!isObject(m)) continue;
      this.meta(m);
      this.blocks(m.content);
    }
  }
}

/** Labels of what `result` (for sampling/elicitation: the request's params) carries. */
export function inspectResult(method: string, result: unknown, options: InspectOptions = {}): InspectResult {
  const c = new Collector(options.maxChars ?? DEFAULT_MAX_CHARS);
  const r: Json = isObject(result) ? result : {};
  c.meta(r);
  switch (method) {
    case "tools/call":
      if (Array.isArray(r.content)) for (const b of r.content) c.block(b);
      if (r.structuredContent !== undefined) c.strings(r.structuredContent);
      break;
    case "resources/read":
      if (Array.isArray(r.contents)) for (const item of r.contents) c.resourceContents(item);
      break;
    case "prompts/get":
      c.text(r.description);
      c.messages(r.messages);
      break;
    case "sampling/createMessage":
      c.text(r.systemPrompt);
      c.messages(r.messages);
      break;
    case "elicitation/create":
      c.text(r.message);
      break;
    default:
      c.strings(result, true);
  }

  const ignored: Ignored[] = [...c.ignored];
  const off = detectorsOff(options.detectorsOff ?? [], ignored);
  const provenance: Provenance[] = [];
  if (c.parts.length > 0) {
    const text = c.parts.length === 1 ? c.parts[0] : c.parts.join("\n");
    for (const d of DETECTORS) {
      if (off.has(d.name)) continue;
      const count = d.count(text);
      if (count > 0) for (const label of d.labels) provenance.push({ label, source: "detector", detector: d.name, count });
    }
  }
  const seen = new Set<string>();
  for (const m of c.metaFound) {
    const id = `${m.key}\u0000${m.label}`;
    if (seen.has(id)) continue;
    seen.add(id);
    provenance.push({ label: m.label, source: "meta", key: m.key });
  }
  const labels = [...new Set(provenance.map((p) => p.label))].sort();
  return { labels, provenance, truncated: c.truncated, inspectedChars: c.chars, ignored };
}

function detectorsOff(names: readonly string[], ignored: Ignored[]): Set<DetectorName> {
  const off = new Set<DetectorName>();
  for (const name of names) {
    const matched = DETECTORS.filter((d) => d.name === name || d.labels.includes(name));
    if (matched.length === 0) ignored.push({ key: "detectorsOff", reason: `unknown detector or label: ${name.slice(0, 100)}` });
    for (const d of matched) off.add(d.name);
  }
  return off;
}
