/**
 * `npx tsx bench/trace-cost.ts`: what tracing costs a decision on the node, in isolation (CPU time of this
 * process, so a loaded machine disturbs it less than a whole `npm run bench:compare`):
 *   - a request not sampled: the root decision of lib/telemetry/tracing-sdk.ts (startRequest), and for
 *     comparison what the SDK's own sampler costs (a non-recording span);
 *   - a sampled request: the node's five spans of a decision (server, authenticate, session, cedar,
 *     commit) with their attributes, ended and exported by the batch processor over OTLP/HTTP protobuf to
 *     a sink in another process;
 *   - what awaiting a promise costs once an AsyncLocalStorage is in use (Node's promise hooks; the node avoids it).
 * It prints each, and the cost per decision at `--ratio` (default 0.1) and always on. The node's CPU per
 * decision to compare with is `npm run bench`'s (docs/benchmarks.md).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { parseScriptArgs } from "../lib/util/command-line.ts";
import { tracingConfig } from "../lib/telemetry/tracing.ts";
import { createTracingSdk } from "../lib/telemetry/tracing-sdk.ts";

const USAGE = "usage: npx tsx bench/trace-cost.ts [--ratio 0.1] [--requests 20000]";
const { values } = parseScriptArgs(USAGE, { ratio: { type: "string", default: "0.1" }, requests: { type: "string", default: "20000" } });
const RATIO = Number(values.ratio);
const N = Number(values.requests);

/** CPU µs per call of `f`, the best of three rounds of `n`. */
function perCall(n: number, f: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const u = process.cpuUsage(t);
    best = Math.min(best, (u.user + u.system) / n);
  }
  return best;
}

const SINK = `require("node:http").createServer((q,s)=>{q.resume();q.on("end",()=>s.writeHead(200,{"content-length":0}).end())})
.listen(0,"127.0.0.1",function(){console.log(this.address().port)})`;

async function main() {
  const sink = spawn(process.execPath, ["-e", SINK], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((r) => sink.stdout.once("data", (d) => r(String(d).trim())));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  const env = (sampler: string, arg = "1") => ({ OTEL_TRACES_EXPORTER: "otlp", OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg });
  const headers = { host: "127.0.0.1:3000", "content-type": "application/json", authorization: "Bearer mnd_x" };

  const never = await createTracingSdk(tracingConfig(env("parentbased_traceidratio", "0")), "trace-cost", {});
  const unsampled = perCall(200_000, () => never.startRequest("POST /api/v1/decisions", 1, headers));
  const sdkSampler = perCall(200_000, () => never.start("POST /api/v1/decisions", 1, undefined, null, headers));
  await never.shutdown();

  const always = await createTracingSdk(tracingConfig(env("always_on")), "trace-cost", { "service.instance.id": "bench/main" });
  const request = () => {
    const server = always.startRequest("POST /api/v1/decisions", 1, headers)!;
    server.setAttributes({ "http.request.method": "POST", "http.route": "/api/v1/decisions", "url.path": "/api/v1/decisions", "url.scheme": "http" });
    const auth = always.start("mandate.authenticate", 0, undefined, server);
    auth.setAttribute("mandate.principal", "agent:bench-agent-1");
    auth.end();
    always.start("mandate.session", 0, { "mandate.session_id": "bench-session-123" }, server).end();
    const cedar = always.start("mandate.cedar", 0, { "mandate.policy_version": "v3" }, server);
    cedar.setAttribute("mandate.decision", "allow");
    cedar.end();
    always.start("mandate.commit", 0, undefined, server).end();
    server.setAttributes({
      "mcp.method.name": "tools/call",
      "mandate.server": "github",
      "mandate.decision": "allow",
      "mandate.decision_id": "dec_0123456789abcdef0123",
      "mandate.policy_ids": ["allow-all"],
      "mandate.policy_version": "v3",
      "mandate.session_id": "bench-session-123",
      "mandate.agent": "bench-agent-1",
      "mandate.step": 4,
      "gen_ai.tool.name": "search_issues",
      "http.response.status_code": 200,
    });
    server.end();
  };
  // Paced as a busy node: 25 requests a turn of the event loop, so the batch processor exports as it would.
  const load = async (n: number) => {
    for (let i = 0; i < n; i += 25) {
      for (let j = 0; j < 25; j++) request();
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await load(5000);
  const t = process.cpuUsage();
  await load(N);
  await always.shutdown(); // the export of what is left counts too
  const u = process.cpuUsage(t);
  const sampled = (u.user + u.system) / N;
  sink.kill("SIGTERM");

  const als = new AsyncLocalStorage<number>();
  const awaits = async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve(i);
  };
  const promises = async () => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) await awaits();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / (20_000 * 50);
  };
  const plain = Math.min(await promises(), await promises());
  await als.run(1, async () => {});
  const hooked = Math.min(await promises(), await promises());

  const f = (us: number) => `${us.toFixed(2)} µs`;
  console.log(`request not sampled (startRequest, no traceparent)   ${f(unsampled)}   (the SDK's sampler instead: ${f(sdkSampler)})`);
  console.log(`request sampled (5 spans with attributes, exported)  ${f(sampled)}`);
  console.log(`one await of a promise, plain / with an AsyncLocalStorage in use ${f(plain)} / ${f(hooked)}`);
  console.log(`per decision at ratio ${RATIO}: ${f(RATIO * sampled + (1 - RATIO) * unsampled)}; always on: ${f(sampled)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
