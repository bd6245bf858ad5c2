/** What every CLI command file shares: the Command shape and its option helpers. */
import type { ParseArgsConfig } from "node:util";
import { MandateError } from "../lib/errors.ts";

export interface CommandInput {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  actor: string;
}

export interface Command {
  usage: string;
  summary: string;
  options?: ParseArgsConfig["options"];
  run(input: CommandInput): Promise<number>;
}

/** An option's value when it is a string. */
export const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

/** A required option or positional: missing, a 400 naming it. */
export function need(v: string | undefined, what: string): string {
  if (!v) throw new MandateError(400, "invalid_request", `missing ${what}`);
  return v;
}
