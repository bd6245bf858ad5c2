/**
 * OpenTelemetry traces, off by default. This module is the only one the rest of Mandate (node and
 * gateway) imports: it has no runtime import of any `@opentelemetry/*` package. The SDK
 * (lib/telemetry/tracing-sdk.ts: tracer provider, sampler, batch processor, OTLP exporter) is loaded by a
 * dynamic import in startTracing(), and only when the environment turns traces on; call sites test the
 * constant TRACING first, so with traces off the decision path does one branch on a constant and
 * nothing else (docs/deploy.md, "Tracing").
 *
 * Settings are the standard OpenTelemetry environment variables, read once when the process starts:
 * traces are on when OTEL_TRACES_EXPORTER is `otlp` (unlike the specification's default, unset means
 * off here; `console` is not offered: the stdio gateway's standard output is its MCP channel) and
 * OTEL_SDK_DISABLED is not `true`. OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL and OTEL_BSP_* are parsed by tracingConfig() below;
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION and the certificate settings by
 * the OTLP exporter itself; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES by the resource detector.
 *
 * The SDK's tracer provider, context manager (AsyncLocalStorage) and W3C propagator are this module's
 * own, not registered as OpenTelemetry's globals: libraries in the same process that look for a global
 * tracer (Next.js in the console) do not start tracing because Mandate does.
 */
import type { Attributes, Span } from "@opentelemetry/api";
import { setLogContext } from "./log.ts";

export type { Span };

/** SpanKind of @opentelemetry/api (its enum is a runtime value: not imported here). */
export const SPAN_KIND = { internal: 0, server: 1, client: 2 } as const;
/** SpanStatusCode.ERROR of @opentelemetry/api. */
const STATUS_ERROR = 2;

export type SamplerName = "always_on" | "always_off" | "traceidratio" | "parentbased_always_on" | "parentbased_always_off" | "parentbased_traceidratio";
const SAMPLERS: readonly SamplerName[] = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

export interface TracingConfig {
  enabled: boolean;
  protocol: "http/protobuf" | "http/json";
  sampler: SamplerName;
  ratio: number;
  batch: { scheduledDelayMillis?: number; maxQueueSize?: number; maxExportBatchSize?: number; exportTimeoutMillis?: number };
}

export class TracingConfigError extends Error {}

type Env = Record<string, string | undefined>;

function bspNumber(env: Env, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new TracingConfigError(`${name} must be a whole number ≥ 0, not "${v}"`);
  return n;
}

/**
 * The tracing settings of an environment. Throws TracingConfigError, naming the variable, for a value
 * Mandate cannot honour (an unknown exporter, sampler or protocol; grpc; a ratio outside [0, 1]).
 */
export function tracingConfig(env: Env): TracingConfig {
  const off: TracingConfig = { enabled: false, protocol: "http/protobuf", sampler: "parentbased_always_on", ratio: 1, batch: {} };
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return off;
  const names = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || names.includes("none")) return off;
  for (const n of names) {
    if (n !== "otlp") throw new TracingConfigError(`OTEL_TRACES_EXPORTER: "${n}" is not supported (otlp or none)`);
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf").trim();
  if (protocol !== "http/protobuf" && protocol !== "http/json")
    throw new TracingConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported (http/protobuf or http/json; grpc is not)`);
  const sampler = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase() as SamplerName;
  if (!SAMPLERS.includes(sampler)) throw new TracingConfigError(`OTEL_TRACES_SAMPLER: "${sampler}" is not supported (${SAMPLERS.join(", ")})`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (sampler.endsWith("traceidratio") && !(ratio >= 0 && ratio <= 1))
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, not "${arg}"`);
  return {
    enabled: true,
    protocol,
    sampler,
    ratio,
    batch: {
      scheduledDelayMillis: bspNumber(env, "OTEL_BSP_SCHEDULE_DELAY"),
      maxQueueSize: bspNumber(env, "OTEL_BSP_MAX_QUEUE_SIZE"),
      maxExportBatchSize: bspNumber(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
      exportTimeoutMillis: bspNumber(env, "OTEL_BSP_EXPORT_TIMEOUT"),
    },
  };
}

/** Whether this process traces (decided once, at load): the hot path's only test when traces are off. */
export const TRACING: boolean = (() => {
  try {
    return tracingConfig(process.env).enabled;
  } catch {
    return true; // startTracing() reports the error and refuses to start
  }
})();

/** What the SDK module gives (lib/telemetry/tracing-sdk.ts). */
export interface TracingSdk {
  /**
   * Starts a span: under `parent`; else under the W3C context in `carrier` (a remote parent: HTTP headers,
   * an MCP request's `_meta`; a root span when it holds none); else under the active span.
   */
  start(name: string, kind: number, attributes?: Attributes, parent?: Span | null, carrier?: Record<string, unknown>): Span;
  /**
   * A request's root span under the W3C context in `carrier` (or a new trace) if the sampler records it,
   * else undefined. Without a `traceparent` the root's decision is drawn before the SDK is called.
   */
  startRequest(name: string, kind: number, carrier: Record<string, unknown>): Span | undefined;
  /** Runs `fn` with `span` active (AsyncLocalStorage: across its awaits). */
  withSpan<T>(span: Span, fn: () => T): T;
  active(): Span | undefined;
  /** Writes `traceparent` (and `tracestate`) of `span` into `carrier`. */
  inject(span: Span, carrier: Record<string, unknown>): void;
  shutdown(): Promise<void>;
}

let sdk: TracingSdk | null = null;

/**
 * Loads the SDK and starts exporting, when TRACING (else does nothing and loads nothing). `service` is
 * the default service.name (OTEL_SERVICE_NAME wins); `attributes` more resource attributes. Throws
 * TracingConfigError for an invalid setting.
 */
export async function startTracing(service: string, attributes: Attributes = {}): Promise<void> {
  if (!TRACING || sdk) return;
  const config = tracingConfig(process.env);
  const { createTracingSdk } = await import("./tracing-sdk.ts");
  const started = await createTracingSdk(config, service, attributes);
  sdk = started;
  setLogContext(() => {
    const c = started.active()?.spanContext();
    return c ? { trace_id: c.traceId, span_id: c.spanId } : undefined;
  });
}

/** Exports what is pending and stops (no-op when traces are off). */
export async function stopTracing(): Promise<void> {
  const s = sdk;
  sdk = null;
  setLogContext(null);
  await s?.shutdown();
}

/** A span (see TracingSdk.start); undefined while traces are off or not started. */
export function startSpan(name: string, kind: number, attributes?: Attributes, parent?: Span | null, carrier?: Record<string, unknown>): Span | undefined {
  return sdk?.start(name, kind, attributes, parent, carrier);
}

/**
 * A request's root span (a SERVER span under the W3C context of `carrier`, or a new root) when the
 * sampler records it, else undefined: an unsampled request then runs exactly the code path of traces
 * off — no stage spans, no context. This is how Mandate's node traces (lib/http/route.ts): the span is
 * handed down explicitly, never through the AsyncLocalStorage context, whose first use would enable
 * Node's promise hooks for every promise of the process from then on (a cost on every decision, sampled
 * or not; docs/benchmarks.md, "Traces").
 */
export function startRecordingSpan(name: string, kind: number, carrier: Record<string, unknown>, attributes?: () => Attributes): Span | undefined {
  // Attributes only for a recorded span: the SDK would copy and check them before sampling (Mandate's
  // samplers do not read them), for nine requests in ten at a ratio of 0.1.
  const span = sdk?.startRequest(name, kind, carrier);
  if (span && attributes) span.setAttributes(attributes());
  return span;
}

/** The log fields of a recording span (`trace_id`, `span_id`), for lines written where no context is active. */
export function traceLogFields(span: Span | undefined): { trace_id: string; span_id: string } | undefined {
  if (!span) return undefined;
  const c = span.spanContext();
  return { trace_id: c.traceId, span_id: c.spanId };
}

/** The active span (undefined when none or traces are off). */
export function activeSpan(): Span | undefined {
  return sdk?.active();
}

/** Runs `fn` with `span` active; without a span, just runs it. */
export function withSpan<T>(span: Span | undefined, fn: () => T): T {
  return span && sdk ? sdk.withSpan(span, fn) : fn();
}

/** `traceparent`/`tracestate` of `span` into `carrier` (HTTP headers, an MCP request's `_meta`). */
export function injectTraceContext(span: Span | undefined, carrier: Record<string, unknown>): void {
  if (span && sdk) sdk.inject(span, carrier);
}

/** The trace id of a sampled span (what a decision record keeps), else undefined. */
export function sampledTraceId(span: Span | undefined): string | undefined {
  if (!span) return undefined;
  const c = span.spanContext();
  return (c.traceFlags & 1) === 1 ? c.traceId : undefined;
}

/** Ends a span as failed: status ERROR with the message, `error.type`. */
export function endWithError(span: Span | undefined, err: unknown, type?: string): void {
  if (!span) return;
  const message = err instanceof Error ? err.message : String(err);
  span.setAttribute("error.type", type ?? (err instanceof Error ? err.constructor.name : "error"));
  span.setStatus({ code: STATUS_ERROR, message: message.slice(0, 500) });
  span.end();
}

/** Marks a span as failed without ending it. */
export function setSpanError(span: Span | undefined, type: string, message?: string): void {
  if (!span) return;
  span.setAttribute("error.type", type);
  span.setStatus({ code: STATUS_ERROR, message: message?.slice(0, 500) });
}
