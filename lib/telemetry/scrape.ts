/**
 * One scrape of a node: the metrics of each of its processes (as prom-client's JSON, sent over the
 * cluster's IPC channel by the workers: server/cluster-ipc.ts) merged into one Prometheus text
 * exposition. Every series carries its process's `process` label (lib/telemetry/metrics.ts), so the
 * merge never adds two processes' values together: it lists them side by side under one HELP/TYPE.
 */
import { AggregatorRegistry, type Registry } from "prom-client";
import { registry } from "./metrics.ts";

export type ProcessMetrics = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

export const METRICS_CONTENT_TYPE = registry.contentType;

/** This process's metrics, for the node's scrape. */
export function processMetrics(): Promise<ProcessMetrics> {
  return registry.getMetricsAsJSON();
}

/** The node's exposition from its processes' metrics. */
export async function mergeMetrics(parts: ProcessMetrics[]): Promise<string> {
  // "sum" for every metric: the series of two processes never share their labels (`process` differs),
  // so this only lists them; prom-client's own aggregators would drop some (process_start_time_seconds).
  const merged = AggregatorRegistry.aggregate(parts.map((p) => p.map((m) => ({ ...m, aggregator: "sum" }))));
  return merged.metrics();
}
