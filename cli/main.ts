/**
 * The `mandate` command line. Works whether or not `mandate start` is running: it finds the embedded
 * database through the data directory (or uses DATABASE_URL).
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { MandateError } from "../lib/errors.ts";
import { commands, type Command } from "./commands.ts";

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  mandate ${name.padEnd(18)} ${c.usage.padEnd(44)} ${c.summary}`);
  return ["Usage:", ...rows, "", "Environment: DATABASE_URL, MANDATE_DATA_DIR (default ./.mandate), PORT, MANDATE_MASTER_KEY"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [a, b, ...rest] = argv;
  let name = a ?? "help";
  let args = [b, ...rest].filter((x) => x !== undefined);
  if (!(name in commands) && b !== undefined && `${a} ${b}` in commands) {
    name = `${a} ${b}`;
    args = rest;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return 0;
  }
  const cmd: Command | undefined = commands[name];
  if (!cmd) {
    console.error(`Unknown command: ${argv.join(" ")}\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: cmd.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: mandate ${name} ${cmd.usage}`);
    return 2;
  }
  const actor = `cli:${process.env.SUDO_USER ?? userInfo().username}`;
  try {
    return await cmd.run({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals, actor });
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    if (!(err instanceof MandateError)) return 3;
    if (err.errors?.length) for (const x of err.errors) console.error(`  ${x.path}: ${x.message}`);
    return err.status < 500 ? 1 : 3;
  }
}
