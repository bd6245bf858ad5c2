/**
 * `npm run bench:gateway -- --base <checkout>`: the base checkout's Mandate node, started by that
 * checkout's own test support (`test/support/mandate.ts`: the same node options as this checkout's) in a
 * process of its own, run from the base directory with the base's tsx, so that every module it loads is
 * the base's (the database pool is a process-wide global: two checkouts' lib/ cannot share a process).
 *
 *   cd <base> && BENCH_BASE_POLICY=<cedar> node --import tsx <this>/bench/base-mandate.ts
 *
 * Prints `BENCH-BASE {"url":…,"apiKey":…}` once the node is up, an agent exists and the policy is
 * published; then reads `approve <server> <tool>` lines from stdin, answering `BENCH-BASE ok` (or
 * `BENCH-BASE error <message>`); stops the node and exits when stdin ends.
 */
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

interface Handle {
  url: string;
  createAgent(name: string): Promise<{ apiKey: string }>;
  publishPolicy(text: string): Promise<void>;
  approveTool(server: string, tool: string): Promise<void>;
  stop(): Promise<void>;
}
type Support = { startMandate(o: { env?: Record<string, string> }): Promise<Handle> };

const say = (s: string) => process.stdout.write(`BENCH-BASE ${s}\n`);
const support = (await import(pathToFileURL(join(process.cwd(), "test/support/mandate.ts")).href)) as Support;
const mandate = await support.startMandate({ env: { MANDATE_METRICS_LISTEN: "off" } });
try {
  const agent = await mandate.createAgent(`bench-gateway-base-${Date.now()}`);
  await mandate.publishPolicy(process.env.BENCH_BASE_POLICY ?? "");
  say(JSON.stringify({ url: mandate.url, apiKey: agent.apiKey }));
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, server, tool] = line.trim().split(" ");
    if (command !== "approve") continue;
    try {
      await mandate.approveTool(server, tool);
      say("ok");
    } catch (e) {
      say(`error ${e instanceof Error ? e.message : String(e)}`);
    }
  }
} finally {
  await mandate.stop();
}
process.exit(0);
