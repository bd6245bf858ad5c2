/**
 * What each kind of sink receives for a batch of OCSF events (docs/siem.md):
 *
 *   webhook  NDJSON, one OCSF event a line (its id in metadata.uid), header Idempotency-Key for the batch
 *   hec      Splunk HTTP Event Collector: one {time, host, source, sourcetype, event, fields} per event
 *   otlp     OTLP/HTTP logs, JSON encoding: a log record per event, the OCSF JSON as its body
 *   syslog   RFC 5424 messages, octet-counted (RFC 6587), the event id in structured data; body OCSF JSON or CEF
 */
import { eventId, OCSF_VERSION, type OcsfEvent, type SinkEntry } from "./ocsf/map.ts";
import { cefLine } from "./cef.ts";

export type SinkKind = "webhook" | "hec" | "syslog" | "otlp";
export type SinkFormat = "ocsf" | "cef";

export interface Item {
  id: string;
  entry: SinkEntry;
  event: OcsfEvent;
}

export interface Encoded {
  body: Buffer;
  headers: Record<string, string>;
}

/** Private enterprise number 32473 (RFC 5612, for documentation): the SD-ID of Mandate's structured data. */
export const SD_ID = "mandate@32473";
const FACILITY_LOG_AUDIT = 13;

export function itemOf(entry: SinkEntry, event: OcsfEvent): Item {
  return { id: eventId(entry), entry, event };
}

const failed = (e: OcsfEvent) => e.status_id === 2;

function hec(items: Item[], host: string): Encoded {
  const lines = items.map((i) =>
    JSON.stringify({
      time: i.event.time / 1000,
      host,
      source: "mandate",
      sourcetype: `ocsf:${(typeof i.event.class_name === "string" ? i.event.class_name : String(i.event.class_uid)).toLowerCase().replace(/ /g, "_")}`,
      event: i.event,
      fields: { event_id: i.id, chain_id: i.entry.chain_id, seq: i.entry.seq },
    }),
  );
  return { body: Buffer.from(lines.join("\n")), headers: { "content-type": "application/json" } };
}

function otlp(items: Item[], host: string): Encoded {
  const body = {
    resourceLogs: [
      {
        resource: { attributes: [kv("service.name", "mandate"), kv("host.name", host)] },
        scopeLogs: [
          {
            scope: { name: "mandate.audit", version: OCSF_VERSION },
            logRecords: items.map((i) => ({
              timeUnixNano: `${BigInt(i.event.time) * 1_000_000n}`,
              observedTimeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
              severityNumber: failed(i.event) ? 13 : 9,
              severityText: failed(i.event) ? "WARN" : "INFO",
              body: { stringValue: JSON.stringify(i.event) },
              attributes: [
                kv("event.id", i.id),
                kv("event.name", i.entry.action),
                kv("ocsf.class_uid", i.event.class_uid),
                kv("mandate.chain_id", i.entry.chain_id),
                kv("mandate.seq", i.entry.seq),
              ],
            })),
          },
        ],
      },
    ],
  };
  return { body: Buffer.from(JSON.stringify(body)), headers: { "content-type": "application/json" } };
}

function kv(key: string, v: string | number) {
  return { key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } };
}

/** An RFC 5424 SD-PARAM value: `"`, `\` and `]` escaped. */
const sdValue = (s: string) => s.replace(/[\\"\]]/g, (c) => `\\${c}`);
/** A header field (HOSTNAME, APP-NAME…): printable US-ASCII, no space, at most `max`. */
const field = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, "_").slice(0, max) || "-";

/** One RFC 5424 message (without framing). MSGID: the OCSF class (`ocsf-6003`); the event id in SD. */
export function syslogMessage(i: Item, host: string, format: SinkFormat): string {
  const pri = FACILITY_LOG_AUDIT * 8 + (failed(i.event) ? 4 : 6);
  const ts = new Date(i.event.time).toISOString();
  const sd = `[${SD_ID} event_id="${sdValue(i.id)}" chain_id="${i.entry.chain_id}" seq="${i.entry.seq}" action="${sdValue(i.entry.action)}"]`;
  const msg = format === "cef" ? cefLine(i) : JSON.stringify(i.event);
  return `<${pri}>1 ${ts} ${field(host, 255)} mandate - ocsf-${i.event.class_uid} ${sd} \uFEFF${msg}`;
}

function syslog(items: Item[], host: string, format: SinkFormat): Encoded {
  const frames = items.map((i) => {
    const m = Buffer.from(syslogMessage(i, host, format));
    return Buffer.concat([Buffer.from(`${m.length} `), m]);
  });
  return { body: Buffer.concat(frames), headers: {} };
}

export function encode(kind: SinkKind, format: SinkFormat, items: Item[], host: string): Encoded {
  if (kind === "hec") return hec(items, host);
  if (kind === "otlp") return otlp(items, host);
  if (kind === "syslog") return syslog(items, host, format);
  const first = items[0].entry;
  const last = items[items.length - 1].entry;
  return {
    body: Buffer.from(items.map((i) => JSON.stringify(i.event)).join("\n") + "\n"),
    headers: { "content-type": "application/x-ndjson", "idempotency-key": `${first.chain_id}:${first.seq}-${last.seq}` },
  };
}
