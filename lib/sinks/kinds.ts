/**
 * The kinds and formats of audit sinks as plain lists (no zod): the console's add-a-sink form reads them
 * in the browser, where building zod schemas is refused by the Content-Security-Policy (see
 * lib/api/mcp-actions.ts). lib/sinks/sinks.ts builds the API's schema from them.
 */
export const SINK_KINDS = ["webhook", "hec", "syslog", "otlp"] as const;
export const SINK_FORMATS = ["ocsf", "cef"] as const;

/** What the console's form says about each kind: the endpoint it takes and what its token is. */
export const SINK_KIND_HELP: Record<(typeof SINK_KINDS)[number], { label: string; endpoint: string; token: string | null }> = {
  webhook: { label: "NDJSON webhook", endpoint: "https://collector.example.com/mandate", token: "HMAC key of the X-Mandate-Signature header (optional)" },
  hec: { label: "Splunk HTTP Event Collector", endpoint: "https://splunk:8088/services/collector/event", token: "HEC token (Authorization: Splunk …)" },
  syslog: { label: "Syslog (RFC 5424 over TCP or TLS)", endpoint: "tls://siem.example.com:6514", token: null },
  otlp: { label: "OpenTelemetry logs (OTLP/HTTP)", endpoint: "http://otel-collector:4318", token: "bearer token (optional)" },
};
