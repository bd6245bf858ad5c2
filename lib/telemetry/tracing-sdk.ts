/**
 * The OpenTelemetry SDK of a process that traces: loaded only by startTracing() (lib/telemetry/tracing.ts)
 * through a dynamic import, so a process with traces off never loads it. A tracer provider with the
 * sampler of OTEL_TRACES_SAMPLER(_ARG), a batch span processor (OTEL_BSP_*), and the OTLP/HTTP exporter of
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (protobuf by default, or JSON), which reads its endpoint, headers,
 * timeout, compression and certificates from the environment itself. Its own AsyncLocalStorage context
 * manager and W3C Trace Context propagator, not OpenTelemetry's globals (see tracing.ts).
 */
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import type { TracingConfig, TracingSdk } from "./tracing.ts";

/**
 * The root sampler of OTEL_TRACES_SAMPLER, except while `decided`: startRequest() has then drawn the
 * root's decision itself (sampled) and the SDK must not draw it again.
 */
class PreDecidedRoot implements Sampler {
  decided = false;
  constructor(private readonly inner: Sampler) {}
  shouldSample(...args: Parameters<Sampler["shouldSample"]>): SamplingResult {
    return this.decided ? { decision: SamplingDecision.RECORD_AND_SAMPLED } : this.inner.shouldSample(...args);
  }
  toString(): string {
    return this.inner.toString();
  }
}

function sampler(c: TracingConfig): { sampler: Sampler; root: PreDecidedRoot; rootRatio: number } {
  const ratio = c.sampler.endsWith("always_off") ? 0 : c.sampler.endsWith("traceidratio") ? c.ratio : 1;
  const root = new PreDecidedRoot(ratio === 0 ? new AlwaysOffSampler() : ratio === 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));
  return { sampler: c.sampler.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root, root, rootRatio: ratio };
}

async function exporter(c: TracingConfig): Promise<SpanExporter> {
  if (c.protocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter();
}

export async function createTracingSdk(c: TracingConfig, service: string, attributes: Attributes): Promise<TracingSdk> {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the defaults given here.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, ...attributes }))
    .merge(detectResources({ detectors: [envDetector] }));
  const batch = Object.fromEntries(Object.entries(c.batch).filter(([, v]) => v !== undefined));
  const sampling = sampler(c);
  const provider = new TracerProvider({
    resource,
    sampler: sampling.sampler,
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporter(c), ...batch })],
  });
  const tracer = provider.getTracer("mandate");
  const contexts = new AsyncLocalStorageContextManager().enable();
  const w3c = new W3CTraceContextPropagator();

  return {
    start(name, kind, attrs, parent, carrier) {
      let ctx: Context;
      if (parent) ctx = trace.setSpan(ROOT_CONTEXT, parent);
      else if (carrier) ctx = w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
      else ctx = contexts.active();
      return tracer.startSpan(name, { kind, attributes: attrs }, ctx);
    },
    startRequest(name, kind, carrier) {
      let span: Span;
      if (carrier.traceparent === undefined) {
        // A new trace: the root's decision is drawn here with the sampler's ratio (the trace id is new
        // and random, so this is the same draw), and a request not sampled costs nothing of the SDK.
        if (!(Math.random() < sampling.rootRatio)) return undefined;
        sampling.root.decided = true;
        try {
          span = tracer.startSpan(name, { kind }, ROOT_CONTEXT);
        } finally {
          sampling.root.decided = false;
        }
      } else span = tracer.startSpan(name, { kind }, w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
      return span.isRecording() ? span : undefined;
    },
    withSpan: (span, fn) => contexts.with(trace.setSpan(contexts.active(), span), fn),
    active: () => trace.getSpan(contexts.active()),
    inject(span: Span, carrier) {
      w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    },
    async shutdown() {
      await provider.shutdown();
      contexts.disable();
    },
  };
}
