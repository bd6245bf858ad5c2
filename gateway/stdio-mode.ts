/**
 * stdio mode: an MCP client launches the gateway instead of the server
 * (`mandate-gateway stdio --server <id> -- <command> [args...]`); the gateway launches the server as its
 * child. One client, one upstream, one agent identity (MANDATE_API_KEY). The child inherits the gateway's
 * environment (where MCP clients put a server's settings) minus every MANDATE_* variable and any
 * variable containing the key.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { GatewayConfig } from "./config.ts";
import { InventoryCache } from "./inventory.ts";
import { MandateClient } from "./mandate-client.ts";
import { createReporter, log, onShutdown } from "./runtime.ts";
import { GatewaySession } from "./session.ts";
import { GATEWAY_VERSION } from "./version.ts";

export async function runStdio(config: GatewayConfig): Promise<void> {
  const apiKey = config.mandate.apiKey!;
  const mandate = new MandateClient({
    url: config.mandate.url,
    apiKey,
    timeoutMs: config.mandate.timeoutMs,
    userAgent: `mandate-gateway/${GATEWAY_VERSION}`,
  });
  const reporter = createReporter(config);
  reporter.register(mandate); // also re-sends what a killed predecessor left in the spool

  const session = new GatewaySession({
    config,
    mandate,
    reporter,
    inventory: new InventoryCache(),
    multi: false,
    inheritEnv: process.env,
    secrets: [apiKey],
    stderr: "inherit",
    log,
    // The server process is gone: answer what is in flight (the SDK fails those requests), then exit
    // like the server would have, so the MCP client sees it and can restart it.
    onUpstreamClosed: () => setTimeout(() => shutdown(1), 250),
  });
  const shutdown = onShutdown(async () => {
    await session.close();
    await reporter.close(3_000);
  });
  const transport = new StdioServerTransport();
  process.stdin.once("end", () => shutdown(0));
  session.server.onclose = () => shutdown(0);
  await session.connect(transport);
}
