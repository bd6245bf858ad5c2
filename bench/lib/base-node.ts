/**
 * The parent side of bench/base-mandate.ts: starts the base checkout's Mandate node in a process run
 * from the base directory (its own node_modules and tsx) and approves tools on it.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface BaseMandate {
  url: string;
  apiKey: string;
  approveTool: (server: string, tool: string) => Promise<void>;
  stop: () => Promise<void>;
}

/** What is wrong with `base` as a checkout to compare with (undefined: nothing). */
export function baseProblem(base: string): string | undefined {
  for (const f of ["test/support/mandate.ts", "bin/mandate-gateway.mjs", "node_modules/tsx/package.json"])
    if (!existsSync(join(base, f))) return `--base ${base}: no ${f} (a Mandate checkout with \`npm ci\` run in it?)`;
  return undefined;
}

export async function startBaseMandate(base: string, policy: string, timeoutMs = 180_000): Promise<BaseMandate> {
  const problem = baseProblem(base);
  if (problem) throw new Error(problem);
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../base-mandate.ts")], {
    cwd: base,
    env: { ...process.env, BENCH_BASE_POLICY: policy },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const waiting: Array<(line: string) => void> = [];
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w(`error base Mandate exited (${code}):\n${log}`);
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("BENCH-BASE ")) waiting.shift()?.(line.slice("BENCH-BASE ".length));
    else log += `${line}\n`;
  });
  const next = (ms: number) =>
    new Promise<string>((res) => {
      const t = setTimeout(() => res(`error no answer from the base Mandate in ${ms} ms:\n${log}`), ms);
      waiting.push((line) => (clearTimeout(t), res(line)));
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(t);
  };
  const first = await next(timeoutMs);
  if (first.startsWith("error ")) {
    await stop();
    throw new Error(first.slice(6));
  }
  const { url, apiKey } = JSON.parse(first) as { url: string; apiKey: string };
  return {
    url,
    apiKey,
    approveTool: async (server, tool) => {
      const answer = next(60_000);
      child.stdin.write(`approve ${server} ${tool}\n`);
      const line = await answer;
      if (line !== "ok") throw new Error(`approving ${server}/${tool} on the base Mandate: ${line.replace(/^error /, "")}`);
    },
    stop,
  };
}
