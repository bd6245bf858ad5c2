/**
 * mandate-gateway: the Mandate enforcement agent for MCP.
 *
 *   mandate-gateway stdio --server <id> [--config <file>] [--spool-dir <dir>] -- <command> [args...]
 *   mandate-gateway http  --listen <host:port> --config <file> [--spool-dir <dir>]
 *
 * Environment: MANDATE_URL (Mandate's base URL), MANDATE_API_KEY (the agent key; required in stdio mode),
 * the session limits of http mode (see config.ts SESSION_ENV), and OpenTelemetry's OTEL_* (traces, off by default).
 */
import { wantsHelp } from "../lib/util/command-line.ts";
import { parseArgs, USAGE } from "./args.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { runHttp } from "./http-mode.ts";
import { log, onShutdown } from "./runtime.ts";
import { runStdio, StdioStartError } from "./stdio-mode.ts";
import { startTracing, TracingConfigError } from "../lib/telemetry/tracing.ts";
import { GATEWAY_VERSION } from "./version.ts";

export async function main(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) {
    // Before anything starts: `--help`/`-h` (before any `--`) prints the usage and exits 0.
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  let config;
  try {
    config = loadConfig(parseArgs(argv));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mandate-gateway: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // OpenTelemetry traces (off unless OTEL_TRACES_EXPORTER=otlp; the SDK is loaded only then): docs/deploy.md.
  await startTracing("mandate-gateway", { "service.version": GATEWAY_VERSION }).catch((e: unknown) => {
    if (!(e instanceof TracingConfigError)) throw e;
    process.stderr.write(`mandate-gateway: ${e.message}\n`);
    process.exit(2);
  });
  if (config.mode === "stdio") {
    await runStdio(config).catch((e: unknown) => {
      if (!(e instanceof StdioStartError)) throw e;
      process.stderr.write(`mandate-gateway: ${e.message}\n`);
      process.exit(e.exitCode);
    });
  } else {
    const gw = await runHttp(config).catch((e: Error) => {
      process.stderr.write(`mandate-gateway: cannot listen on ${config.listen?.host}:${config.listen?.port}: ${e.message}\n`);
      process.exit(1);
    });
    onShutdown(() => gw.close());
  }
}

main(process.argv.slice(2)).catch((e) => {
  log(`fatal: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
