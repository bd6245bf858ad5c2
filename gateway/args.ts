/** Command-line parsing for mandate-gateway (kept apart from cli.ts, which starts the gateway on import). */
import { ConfigError, type CliInput } from "./config.ts";

export const USAGE = `usage:
  mandate-gateway stdio --server <id> [--config <file>] [--spool-dir <dir>] [--token-file <path> [--dpop]] -- <command> [args...]
  mandate-gateway http --listen <host:port> --config <file> [--spool-dir <dir>]
environment: MANDATE_URL, MANDATE_API_KEY or MANDATE_TOKEN_FILE (a platform token to exchange; see docs/federation.md and docs/gateway.md),
  MANDATE_DPOP=1 (same as --dpop: the access token is DPoP-bound to a key held in memory)`;

export function parseArgs(argv: string[]): CliInput {
  const [mode, ...rest] = argv;
  if (mode !== "stdio" && mode !== "http") throw new ConfigError(mode ? `unknown mode "${mode}"\n${USAGE}` : USAGE);
  const input: CliInput = { mode };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--") {
      input.command = rest.slice(i + 1);
      break;
    }
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined || v.startsWith("--")) throw new ConfigError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--server") input.server = value();
    else if (flag === "--config") input.configPath = value();
    else if (flag === "--listen") input.listen = value();
    else if (flag === "--spool-dir") input.spoolDir = value();
    else if (flag === "--token-file") input.tokenFile = value();
    else if (flag === "--dpop" && inline === undefined) input.dpop = true;
    else throw new ConfigError(`unknown option ${arg}\n${USAGE}`);
  }
  if (mode === "http" && input.command) throw new ConfigError(`http mode takes upstream servers from --config, not after --\n${USAGE}`);
  return input;
}
