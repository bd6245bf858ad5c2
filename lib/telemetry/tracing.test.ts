import { describe, expect, it } from "vitest";
import { tracingConfig, TracingConfigError } from "./tracing.ts";

describe("tracing settings (OTEL_*)", () => {
  it("is off unless OTEL_TRACES_EXPORTER names otlp, and off whenever the SDK is disabled", () => {
    expect(tracingConfig({}).enabled).toBe(false);
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).enabled).toBe(false);
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: "none" }).enabled).toBe(false);
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" }).enabled).toBe(false);
    expect(tracingConfig({ OTEL_TRACES_EXPORTER: "otlp" })).toMatchObject({ enabled: true, protocol: "http/protobuf", sampler: "parentbased_always_on" });
  });

  it("reads the sampler, its ratio, the protocol and the batch settings", () => {
    const c = tracingConfig({
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
    expect(c).toMatchObject({ sampler: "parentbased_traceidratio", ratio: 0.1, protocol: "http/json", batch: { scheduledDelayMillis: 200 } });
  });

  it("refuses what it cannot honour, naming the variable", () => {
    const bad = (env: Record<string, string>, name: string) => expect(() => tracingConfig({ OTEL_TRACES_EXPORTER: "otlp", ...env })).toThrow(new RegExp(name));
    bad({ OTEL_TRACES_EXPORTER: "zipkin" }, "OTEL_TRACES_EXPORTER");
    bad({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "OTEL_EXPORTER_OTLP_PROTOCOL");
    bad({ OTEL_TRACES_SAMPLER: "sometimes" }, "OTEL_TRACES_SAMPLER");
    bad({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }, "OTEL_TRACES_SAMPLER_ARG");
    bad({ OTEL_BSP_SCHEDULE_DELAY: "soon" }, "OTEL_BSP_SCHEDULE_DELAY");
    expect(() => tracingConfig({ OTEL_TRACES_EXPORTER: "jaeger" })).toThrow(TracingConfigError);
  });
});
