/**
 * The `mandate` command line. Works whether or not `mandate start` is running: it finds the embedded
 * database through the data directory (or uses DATABASE_URL).
 */
import { userInfo } from "node:os";
import { MandateError } from "../lib/errors.ts";
import { parseCommandLine, wantsHelp } from "../lib/util/command-line.ts";
import { commands, type Command } from "./commands.ts";

const ENVIRONMENT = "Environment: DATABASE_URL, MANDATE_DATA_DIR (default ./.mandate), PORT, MANDATE_MASTER_KEY";
const row = (name: string, c: Command) => `  mandate ${name.padEnd(18)} ${c.usage.padEnd(44)} ${c.summary}`;

/** The usage of every command, or of those of one group (`mandate users --help`). */
function usage(group?: string): string {
  const rows = Object.entries(commands)
    .filter(([name]) => !group || name.startsWith(`${group} `))
    .map(([name, c]) => row(name, c));
  return ["Usage:", ...rows, "", ENVIRONMENT].join("\n");
}

/** `mandate <command> --help`: what it does and its options. Prints only: starts nothing, opens no database. */
function commandHelp(name: string, cmd: Command): string {
  return [`usage: mandate ${name}${cmd.usage ? ` ${cmd.usage}` : ""}`, "", cmd.summary, "", ENVIRONMENT].join("\n");
}

const isGroup = (word: string) => Object.keys(commands).some((name) => name.startsWith(`${word} `));

export async function main(argv: string[]): Promise<number> {
  const [a, b, c, ...rest] = argv;
  let name = a ?? "help";
  let args = [b, c, ...rest].filter((x) => x !== undefined);
  if (!(name in commands) && b !== undefined && `${a} ${b}` in commands) {
    name = `${a} ${b}`;
    args = [c, ...rest].filter((x) => x !== undefined);
  } else if (!(name in commands) && c !== undefined && `${a} ${b} ${c}` in commands) {
    name = `${a} ${b} ${c}`; // `mandate agents trust add …`
    args = rest;
  } else if (!(name in commands) && b !== undefined && isGroup(`${a} ${b}`)) {
    name = `${a} ${b}`; // `mandate agents trust --help`
    args = [c, ...rest].filter((x) => x !== undefined);
  }
  if (name === "help" || name === "--help" || name === "-h") {
    // `mandate help [command]`
    const topic = args.join(" ");
    const cmd = commands[topic];
    if (cmd) console.log(commandHelp(topic, cmd));
    else if (isGroup(topic) || !topic || topic.startsWith("-")) console.log(usage(isGroup(topic) ? topic : undefined));
    else {
      console.error(`Unknown command: ${topic}\n\n${usage()}`);
      return 2;
    }
    return 0;
  }
  const cmd: Command | undefined = commands[name];
  if (!cmd) {
    if (isGroup(name) && wantsHelp(args)) {
      console.log(usage(name));
      return 0;
    }
    console.error(`Unknown command: ${argv.join(" ")}\n\n${usage()}`);
    return 2;
  }
  const parsed = parseCommandLine(args, cmd.options ?? {}, true);
  if (parsed.kind === "help") {
    console.log(commandHelp(name, cmd));
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(`${parsed.message}\nusage: mandate ${name} ${cmd.usage}`);
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
