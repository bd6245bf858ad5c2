/**
 * Command-line arguments, parsed one way by every entry point: the `mandate` CLI (cli/main.ts),
 * `mandate-gateway` (gateway/cli.ts) and the npm scripts (scripts/, bench/, the demo). node:util's
 * parseArgs, strict, plus `--help` / `-h` anywhere before a `--`: the usage on stdout and exit 0, before
 * anything starts or connects. An option it does not know is an error: the message and the usage on
 * stderr, exit 2. No stack trace either way.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type ArgOptions = NonNullable<ParseArgsConfig["options"]>;

/** Does the command line ask for help? `--help` or `-h` before any `--` (what follows `--` belongs to another program). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

type CommandLine<O extends ArgOptions> =
  | { kind: "args"; values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>["values"]; positionals: string[] }
  | { kind: "help" }
  | { kind: "error"; message: string };

/** Parses `argv` against `options` (strict): the values, a request for help, or what is wrong. */
export function parseCommandLine<const O extends ArgOptions>(argv: readonly string[], options: O, allowPositionals: boolean): CommandLine<O> {
  if (wantsHelp(argv)) return { kind: "help" };
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals, strict: true });
    return { kind: "args", values: r.values, positionals: r.positionals };
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
}

/**
 * For a script: parses process.argv, or prints the usage (help: stdout, exit 0) or the error and the
 * usage (stderr, exit 2) and exits.
 */
export function parseScriptArgs<const O extends ArgOptions>(
  usage: string,
  options: O,
  opts: { allowPositionals?: boolean; argv?: readonly string[] } = {},
): { values: Extract<CommandLine<O>, { kind: "args" }>["values"]; positionals: string[] } {
  const r = parseCommandLine(opts.argv ?? process.argv.slice(2), options, opts.allowPositionals ?? false);
  if (r.kind === "help") {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  if (r.kind === "error") {
    process.stderr.write(`${r.message}\n${usage.trim()}\n`);
    process.exit(2);
  }
  return r;
}
