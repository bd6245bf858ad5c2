/**
 * ArcSight Common Event Format (CEF:0) for syslog sinks with `format: cef`: the header's pipes and
 * backslashes escaped, the extension's `=`, backslashes and line breaks escaped. The idempotency id is
 * `externalId`; the entry's chain and seq are custom strings cs1/cs2.
 */
import type { Item } from "./encode.ts";

const header = (s: string) => s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, " ");
const ext = (s: string) => s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, "\\n");

export function cefLine(i: Item): string {
  const e = i.event;
  const severity = e.status_id === 2 ? 6 : 3;
  const name = typeof e.message === "string" ? e.message : i.entry.action;
  const fields: Array<[string, string | number | null | undefined]> = [
    ["rt", e.time],
    ["externalId", i.id],
    ["act", i.entry.outcome ?? i.entry.action],
    ["suser", i.entry.actor],
    ["cat", typeof e.class_name === "string" ? e.class_name : String(e.class_uid)],
    ["cs1Label", "chain_id"],
    ["cs1", i.entry.chain_id],
    ["cs2Label", "tool"],
    ["cs2", i.entry.tool],
    ["cs3Label", "session_id"],
    ["cs3", i.entry.session_id],
    ["cn1Label", "seq"],
    ["cn1", i.entry.seq],
  ];
  const extension = fields
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${ext(String(v))}`)
    .join(" ");
  return `CEF:0|Mandate|Mandate|0.1.0|${header(i.entry.action)}|${header(name)}|${severity}|${extension}`;
}
