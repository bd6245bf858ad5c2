/** Pieces shared by both modes: logging to stderr, the reporter, and orderly shutdown. */
import type { GatewayConfig } from "./config.ts";
import { OutcomeReporter } from "./reporter.ts";
import { stopTracing } from "../lib/telemetry/tracing.ts";

export function log(message: string): void {
  process.stderr.write(`[mandate-gateway] ${message}\n`);
}

export function createReporter(config: GatewayConfig): OutcomeReporter {
  return new OutcomeReporter({
    spoolDir: config.spoolDir,
    fsync: config.events.fsync,
    batchSize: config.events.batchSize,
    flushMs: config.events.flushMs,
    maxBackoffMs: config.events.maxBackoffMs,
    log,
  });
}

/** Runs `stop` once on SIGINT/SIGTERM (or when called), then exits with the given code. */
export function onShutdown(stop: () => Promise<void>): (code: number) => void {
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 10_000);
    force.unref();
    stop()
      .catch((e) => log(`error while stopping: ${(e as Error).message}`))
      .then(() => stopTracing()) // exports the spans still pending (nothing to do when traces are off)
      .catch((e) => log(`error while exporting traces: ${(e as Error).message}`))
      .finally(() => process.exit(code));
  };
  process.once("SIGINT", () => shutdown(0));
  process.once("SIGTERM", () => shutdown(0));
  return shutdown;
}
