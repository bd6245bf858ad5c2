/**
 * stdio mode: an MCP client launches the gateway instead of the server
 * (`mandate-gateway stdio --server <id> -- <command> [args...]`); the gateway launches the server as its
 * child. One client, one upstream, one agent identity (MANDATE_API_KEY). The child inherits the gateway's
 * environment (where MCP clients put a server's settings) minus every MANDATE_* variable and any
 * variable containing the key.
 *
 * The key is checked with Mandate before anything else (nothing is read from the client, nothing is
 * started): a key Mandate refuses, or Mandate unreachable, stops the gateway with a message on stderr
 * and exit code 2 or 1 (StdioStartError), which the MCP client shows as the server failing to start.
 * A key Mandate refuses later (any 401) stops the gateway (exit code 2) after the answer in progress.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { GatewayConfig } from "./config.ts";
import { InventoryCache } from "./inventory.ts";
import { checkKey } from "./key-check.ts";
import { MandateClient } from "./mandate-client.ts";
import { TokenFileCredential, TokenFileError } from "./token-file.ts";
import { createReporter, log, onShutdown } from "./runtime.ts";
import { GatewaySession } from "./session.ts";
import { GATEWAY_VERSION } from "./version.ts";

/** The gateway cannot start: `message` for stderr, `exitCode` 2 for a refused key, 1 for Mandate unreachable. */
export class StdioStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function runStdio(config: GatewayConfig): Promise<void> {
  const tokenFile = config.mandate.tokenFile;
  // With a token file there is no key: the spool is named after the file, and the bearer is the access token of the moment.
  const apiKey = config.mandate.apiKey ?? `token-file:${tokenFile}`;
  const federated = tokenFile
    ? new TokenFileCredential({ url: config.mandate.url, path: tokenFile, timeoutMs: config.mandate.timeoutMs, dpop: config.mandate.dpop, log })
    : null;
  if (federated) {
    try {
      await federated.start();
    } catch (e) {
      if (!(e instanceof TokenFileError)) throw e;
      throw new StdioStartError(`${e.message}; not starting`, /unreachable/.test(e.message) ? 1 : 2);
    }
  }
  const credentialName = federated ? "the access token exchanged for the token file" : "MANDATE_API_KEY";
  let shutdown: ((code: number) => void) | undefined;
  const mandate = new MandateClient({
    url: config.mandate.url,
    apiKey,
    credential: federated ? (method, url) => federated.headers(method, url) : undefined,
    timeoutMs: config.mandate.timeoutMs,
    userAgent: `mandate-gateway/${GATEWAY_VERSION}`,
    // The key was revoked (or expired) while running: after the answer in progress, stop relaying
    // anything for it, like HTTP mode closes the key's sessions.
    onUnauthorized: () => {
      if (!shutdown) return;
      log(`Mandate no longer accepts ${credentialName} (revoked or expired): stopping`);
      setTimeout(() => shutdown?.(2), 250);
    },
  });
  const check = await checkKey(mandate);
  if (!check.ok)
    throw new StdioStartError(
      check.status === 503
        ? `cannot reach Mandate at ${config.mandate.url} to check ${credentialName}; not starting: ${check.detail}`
        : `${credentialName} was refused by Mandate at ${config.mandate.url}; not starting: ${check.detail}`,
      check.status === 503 ? 1 : 2,
    );
  const reporter = createReporter(config);
  reporter.register(mandate); // also re-sends what a killed predecessor left in the spool

  const session = new GatewaySession({
    config,
    mandate,
    reporter,
    inventory: new InventoryCache(),
    multi: false,
    inheritEnv: process.env,
    secrets: federated ? [] : [apiKey],
    stderr: "inherit",
    log,
    // The server process is gone: answer what is in flight (the SDK fails those requests), then exit
    // like the server would have, so the MCP client sees it and can restart it.
    onUpstreamClosed: () => setTimeout(() => shutdown?.(1), 250),
  });
  shutdown = onShutdown(async () => {
    federated?.stop();
    await session.close();
    await reporter.close(3_000);
  });
  const transport = new StdioServerTransport();
  process.stdin.once("end", () => shutdown?.(0));
  session.server.onclose = () => shutdown?.(0);
  await session.connect(transport);
}
