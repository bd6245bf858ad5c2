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

/** `--days N`: a whole number (the lifetime's bounds are checked where the key is made); absent: the default. */
export function days(v: string | boolean | undefined): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^\d{1,5}$/.test(s)) throw new MandateError(400, "invalid_request", `--days must be a whole number of days, not ${s}`);
  return Number(s);
}
/** `--overlap S`: seconds both keys of a rotation work (bounds checked where the key is rotated). */
export function overlap(v: string | boolean | undefined): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^\d{1,7}$/.test(s)) throw new MandateError(400, "invalid_request", `--overlap must be a whole number of seconds, not ${s}`);
  return Number(s);
}
