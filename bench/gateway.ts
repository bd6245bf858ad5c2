/**
 * npm run bench:gateway — latency that the Mandate gateway adds to a tools/call, in one run:
 *
 *   direct (stdio)        SDK client → server-everything (stdio)
 *   gateway stdio         SDK client → mandate-gateway stdio → server-everything
 *   mcp-proxy (HTTP)      SDK client → mcp-proxy (Streamable HTTP, no policy) → server-everything (stdio)
 *   gateway http          SDK client → mandate-gateway http → server-everything (stdio)
 *
 * Every call through the gateway includes the decision (POST /api/v1/decisions to a real Mandate
 * started for the run, allow-all policy), forwarding with the receipt, and outcome reporting (spooled,
 * batched to /api/v1/events). Calls are sequential, so the numbers are per-call latency.
 * Options (env): BENCH_CALLS (default 3000), BENCH_WARMUP (default 300).
 */
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { MandateClient } from "../gateway/mandate-client.ts";
import { startMandate } from "../test/support/mandate.ts";
import {
  ALLOW_ALL_POLICY,
  EVERYTHING,
  connectClient,
  directStdioTransport,
  freePort,
  gatewayStdioTransport,
  httpTransport,
  startGatewayHttp,
  startProcess,
  tempDir,
} from "../test/gateway/helpers.ts";

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const upstream = [process.execPath, EVERYTHING, "stdio"];

interface Row {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, client: Client, tool: string): Promise<Row> {
  return measureFn(name, () => client.callTool({ name: tool, arguments: { message: "bench" } }));
}

async function measureFn(name: string, call: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < WARMUP; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const r = await call();
    samples.push(performance.now() - t0);
    if ((r as { isError?: boolean }).isError) throw new Error(`${name}: call failed: ${JSON.stringify(r)}`);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  process.stderr.write(`  ${name}: done\n`);
  return { name, p50: pct(samples, 50), p90: pct(samples, 90), p99: pct(samples, 99), mean };
}

async function connectWithRetry(url: string): Promise<Client> {
  for (let i = 0; ; i++) {
    try {
      return await connectClient(httpTransport(url));
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function table(rows: Row[]): string {
  const base = rows[0]!;
  const f = (n: number) => n.toFixed(3).padStart(8);
  const head = `${"path".padEnd(22)} ${"p50 ms".padStart(8)} ${"p90 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"mean ms".padStart(8)} ${"+p50 ms".padStart(8)} ${"+p99 ms".padStart(8)}`;
  const lines = rows.map(
    (r) => `${r.name.padEnd(22)} ${f(r.p50)} ${f(r.p90)} ${f(r.p99)} ${f(r.mean)} ${f(r.p50 - base.p50)} ${f(r.p99 - base.p99)}`,
  );
  return [head, "-".repeat(head.length), ...lines].join("\n");
}

async function main() {
  process.stderr.write(`starting Mandate…\n`);
  const mandate = await startMandate();
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const agent = await mandate.createAgent(`bench-gateway-${Date.now()}`);
    await mandate.publishPolicy(ALLOW_ALL_POLICY);
    const spoolDir = tempDir("bench-spool");
    const rows: Row[] = [];

    // Each path is closed before the next one is measured, so that they do not compete for the CPUs.
    const direct = await connectClient(directStdioTransport(upstream));
    rows.push(await measure("direct (stdio)", direct, "echo"));
    await direct.close();

    const gws = await connectClient(
      gatewayStdioTransport({ mandateUrl: mandate.url, apiKey: agent.apiKey, server: "everything", command: upstream, spoolDir }),
    );
    await gws.listTools();
    await mandate.approveTool("everything", "echo");
    rows.push(await measure("gateway stdio", gws, "echo"));
    await gws.close();

    const port = await freePort();
    const proxy = await startProcess(
      process.execPath,
      [join(import.meta.dirname, "../node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs"), "--host", "127.0.0.1", "--port", String(port), "--server", "stream", "--", ...upstream],
      { ready: /on port \d+/i },
    );
    cleanup.push(proxy.stop);
    const viaProxy = await connectWithRetry(`http://127.0.0.1:${port}/mcp`); // it prints before it listens
    rows.push(await measure("mcp-proxy (HTTP)", viaProxy, "echo"));
    await viaProxy.close();
    await proxy.stop();

    const gwh = await startGatewayHttp({
      mandate: { url: mandate.url },
      events: { spoolDir },
      servers: { everything: { command: upstream[0], args: upstream.slice(1) } },
    });
    cleanup.push(gwh.stop);
    const viaHttp = await connectClient(httpTransport(gwh.url, agent.apiKey));
    cleanup.push(() => viaHttp.close());
    await viaHttp.listTools();
    rows.push(await measure("gateway http", viaHttp, "everything__echo"));

    // For attribution: the decision request alone, as the gateway makes it (Mandate's own latency).
    const mc = new MandateClient({ url: mandate.url, apiKey: agent.apiKey, timeoutMs: 5000 });
    // One session, as a gateway connection has (a new session per call would add a session lookup).
    const sessionId = `bench-decide-${Date.now()}`;
    const decide = () => mc.decide({ session: { id: sessionId }, tool: { server: "everything", name: "echo" }, arguments: { message: "bench" } });
    const decisionRow = await measureFn("(decision request only)", decide);

    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    console.log(`\nMandate gateway benchmark: ${CALLS} sequential tools/call (echo) per path after ${WARMUP} warm-up calls\n`);
    console.log(table(rows));
    console.log(`${decisionRow.name.padEnd(22)} ${decisionRow.p50.toFixed(3).padStart(8)} ${decisionRow.p90.toFixed(3).padStart(8)} ${decisionRow.p99.toFixed(3).padStart(8)} ${decisionRow.mean.toFixed(3).padStart(8)}`);
    console.log(
      `\nadded p50 over direct: gateway stdio ${(byName["gateway stdio"]!.p50 - rows[0]!.p50).toFixed(3)} ms, ` +
        `gateway http ${(byName["gateway http"]!.p50 - rows[0]!.p50).toFixed(3)} ms, ` +
        `mcp-proxy ${(byName["mcp-proxy (HTTP)"]!.p50 - rows[0]!.p50).toFixed(3)} ms ` +
        `(target: gateway ≤ 2 ms and no slower than mcp-proxy at p50)`,
    );
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
    await mandate.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
