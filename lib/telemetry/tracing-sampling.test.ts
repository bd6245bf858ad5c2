/**
 * startRecordingSpan (lib/telemetry/tracing.ts): the node's one sampling decision per request, with the
 * real SDK exporting to a real OTLP/HTTP receiver, `parentbased_traceidratio`. At a ratio of 0 a request
 * without a parent, or with an unsampled one, gets no span at all (its route then runs the untraced
 * path); a sampled one gets a recording span under its parent, and only it is exported. At 1 a new trace
 * is sampled (its root decision is drawn before the SDK is called), an unsampled parent still followed.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startOtlpReceiver, type OtlpReceiver } from "../../test/support/otlp-receiver.ts";

const ENV = {
  OTEL_TRACES_EXPORTER: "otlp",
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0",
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
};
const saved = Object.fromEntries(Object.keys({ ...ENV, OTEL_EXPORTER_OTLP_ENDPOINT: "" }).map((k) => [k, process.env[k]]));
let receiver: OtlpReceiver;
let tracing: typeof import("./tracing.ts");

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(process.env, ENV, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  vi.resetModules(); // TRACING is read when the module loads
  tracing = await import("./tracing.ts");
  await tracing.startTracing("sampling-test");
});

afterAll(async () => {
  await tracing?.stopTracing();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await receiver?.close();
});

const hex = (n: number) => randomBytes(n).toString("hex");

describe("one sampling decision per request (startRecordingSpan)", () => {
  it("gives no span to an unsampled request and a recording span under its parent to a sampled one", async () => {
    const { SPAN_KIND, startRecordingSpan, traceLogFields, TRACING } = tracing;
    expect(TRACING).toBe(true);
    expect(startRecordingSpan("root", SPAN_KIND.server, {})).toBeUndefined();
    const unsampled = hex(16);
    expect(startRecordingSpan("unsampled", SPAN_KIND.server, { traceparent: `00-${unsampled}-${hex(8)}-00` })).toBeUndefined();

    const traceId = hex(16);
    const parent = hex(8);
    const span = startRecordingSpan("sampled", SPAN_KIND.server, { traceparent: `00-${traceId}-${parent}-01` }, () => ({ "mandate.test": "yes" }));
    expect(span?.isRecording()).toBe(true);
    expect(traceLogFields(span)).toEqual({ trace_id: traceId, span_id: span!.spanContext().spanId });
    span!.end();
    await tracing.stopTracing(); // exports what the batch holds

    expect(receiver.spans.map((s) => [s.name, s.traceId, s.parentSpanId, s.attributes["mandate.test"]])).toEqual([["sampled", traceId, parent, "yes"]]);
  });

  it("draws a new trace's root decision itself, and still follows an unsampled parent right after", async () => {
    const { SPAN_KIND, startRecordingSpan } = tracing;
    process.env.OTEL_TRACES_SAMPLER_ARG = "1";
    await tracing.startTracing("sampling-test"); // read again from the environment
    const before = receiver.spans.length;
    const root = startRecordingSpan("root", SPAN_KIND.server, {});
    expect(root?.isRecording()).toBe(true);
    expect(root!.spanContext().traceFlags & 1).toBe(1);
    expect(startRecordingSpan("unsampled", SPAN_KIND.server, { traceparent: `00-${hex(16)}-${hex(8)}-00` })).toBeUndefined();
    root!.end();
    await tracing.stopTracing();
    const got = receiver.spans.slice(before);
    expect(got.map((s) => [s.name, s.traceId, s.parentSpanId ?? ""])).toEqual([["root", root!.spanContext().traceId, ""]]);
  });
});
