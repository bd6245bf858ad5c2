/**
 * Issue 19 §1, metrics and logs: `GET /metrics` of a whole node (every data-plane worker) checked by the
 * real receivers — `promtool check metrics` (Debian's prometheus package, installed by .ci/run) and a
 * real Prometheus server that scrapes a node with two workers and answers the decision counter summed
 * over them through its HTTP API; the main port's endpoint only with MANDATE_METRICS_TOKEN (401 without
 * or with a wrong token, whatever the address; 404 when the token is not set); JSON log lines with
 * MANDATE_LOG_LEVEL honoured.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool, getPool, setDatabaseUrl } from "../../lib/db/pool.ts";
import { createApiToken } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { Collector } from "../support/collector.ts";
import { api, closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";
import { postFresh, timeUntil } from "../faults/support.ts";

const TOKEN = "metrics-token-for-the-integration-test";
let two: MandateHandle; // 2 workers, metrics listener, token on the main port
let one: MandateHandle; // 1 process, metrics listener, no token, MANDATE_LOG_LEVEL=warn
let twoMetrics: string;
let oneMetrics: string;
let prometheus: ChildProcess | null = null;
let collector: Collector | null = null;
const promDir = mkdtempSync(join(tmpdir(), "mandate-prometheus-"));

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
  });
}

/** The value of every sample of `name` whose labels include `labels` (Prometheus text format). */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function decide(n: MandateHandle, count: number): Promise<void> {
  const key = n.credentials!.agents[0].api_key;
  for (let i = 0; i < count; i++) {
    // A new connection each: node:cluster hands consecutive connections to the workers in turn.
    const r = await postFresh(n.url, key, "/api/v1/decisions", {
      session: { id: `metrics-${i}-${Date.now()}` },
      tool: { server: "crm", name: "get_customer" },
      arguments: { customer_id: "c-1" },
    });
    expect(r.status).toBe(200);
  }
}

beforeAll(async () => {
  const [p2, p1] = [await freePort(), await freePort()];
  twoMetrics = `http://127.0.0.1:${p2}/metrics`;
  oneMetrics = `http://127.0.0.1:${p1}/metrics`;
  [two, one] = await Promise.all([
    startMandate({ workers: 2, env: { MANDATE_METRICS_LISTEN: `127.0.0.1:${p2}`, MANDATE_METRICS_TOKEN: TOKEN } }),
    startMandate({ workers: 1, env: { MANDATE_METRICS_LISTEN: `127.0.0.1:${p1}`, MANDATE_LOG_LEVEL: "warn" } }),
  ]);
}, 180_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const p = prometheus;
    await new Promise<void>((r) => (p.once("exit", () => r()), p.kill("SIGTERM")));
  }
  rmSync(promDir, { recursive: true, force: true });
  await collector?.kill();
  await Promise.all([two?.stop(), one?.stop()]);
  await closeTestDb();
});

describe("GET /metrics of a node", () => {
  it("covers every worker of the node (process label), counts decisions by outcome and reason class, and passes promtool check metrics", async () => {
    await decide(two, 8);
    const r = await get(twoMetrics);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = r.body;
    const w1 = sum(samples(text, "mandate_decisions_total", { process: "w1" }));
    const w2 = sum(samples(text, "mandate_decisions_total", { process: "w2" }));
    expect(w1).toBeGreaterThan(0);
    expect(w2).toBeGreaterThan(0);
    expect(w1 + w2).toBe(8);
    expect(samples(text, "mandate_decisions_total", { outcome: "allow", reason_class: "policy" }).length).toBeGreaterThan(0);
    expect(sum(samples(text, "mandate_decision_duration_seconds_count"))).toBe(8);
    expect(sum(samples(text, "mandate_audit_commit_batch_jobs_count", { chain: "decisions" }))).toBeGreaterThan(0);
    expect(samples(text, "mandate_change_feed_current", { process: "w1" })).toEqual([1]);
    expect(samples(text, "mandate_approvals_pending", { process: "main" })).toEqual([0]);
    expect(samples(text, "mandate_approvals_pending", { process: "w1" })).toEqual([]);
    for (const p of ["main", "w1", "w2"]) expect(samples(text, "process_cpu_seconds_total", { process: p })).toHaveLength(1);
    expect(samples(text, "nodejs_eventloop_lag_p99_seconds", { process: "w2" })).toHaveLength(1);
    // Bounded labels: no session id, no agent, no key anywhere in the exposition.
    expect(text).not.toMatch(/metrics-\d+-\d+|session|agent_id|mnd_/);

    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.error, "promtool (Debian's prometheus package: .ci/run installs it)").toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
  });

  it("shows every audit sink's lag, oldest undelivered age, dead letters and failing state once, from the duties process (promtool passes)", async () => {
    collector = await new Collector({ webhook: "metrics-webhook-key", hec: "-", otlp: "-" }).start();
    const nobody = await freePort(); // nothing listens there: every send fails
    // The two nodes started together: the test process's pool (and so the handles' admin tokens) went to
    // one of their databases only. An admin token in this node's own database:
    await closePool();
    setDatabaseUrl(two.databaseUrl);
    const adminId = (await getPool().query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1")).rows[0].id;
    const token = (await createApiToken(noNode(), adminId, "metrics test", "test:setup", 1)).secret;
    const admin = (body: Record<string, unknown>) => api(two.url, token, "POST", "/api/v1/sinks", body);
    expect((await admin({ name: "live", kind: "webhook", endpoint: `${collector.url}/webhook`, token: "metrics-webhook-key", from: "start" })).status).toBe(
      201,
    );
    expect((await admin({ name: "down", kind: "webhook", endpoint: `http://127.0.0.1:${nobody}/x`, from: "start" })).status).toBe(201);
    await decide(two, 2);
    const scrape = async () => (await get(twoMetrics)).body;
    // The live sink catches up (lag 0, nothing waiting); the one whose receiver is down falls behind and fails.
    const settled = (t: string) =>
      samples(t, "mandate_sink_lag_entries", { sink: "live" })[0] === 0 &&
      samples(t, "mandate_sink_failing", { sink: "down" })[0] === 1 &&
      samples(t, "mandate_sink_failing", { sink: "live" })[0] === 0;
    let text = "";
    expect(await timeUntil(60_000, async () => settled((text = await scrape())))).toBeLessThan(Infinity);
    const stored = (await api(two.url, token, "GET", "/api/v1/sinks")).body.sinks as Array<{ name: string; lag: number }>;
    const down = samples(text, "mandate_sink_lag_entries", { sink: "down" });
    // Database-wide and only in the process that runs the node's duties: one series per sink, none per worker.
    expect(down).toHaveLength(1);
    expect(down[0]).toBeGreaterThan(0);
    expect(down[0]).toBeLessThanOrEqual(stored.find((x) => x.name === "down")!.lag);
    expect(samples(text, "mandate_sink_lag_entries", { process: "w1" })).toEqual([]);
    expect(samples(text, "mandate_sink_lag_entries", { sink: "live", process: "main" })).toEqual([0]);
    expect(samples(text, "mandate_sink_oldest_undelivered_seconds", { sink: "live" })).toEqual([0]);
    expect(samples(text, "mandate_sink_oldest_undelivered_seconds", { sink: "down" })[0]).toBeGreaterThan(0);
    expect(samples(text, "mandate_sink_dead_letters", { sink: "down" })).toEqual([0]);
    expect(samples(text, "mandate_sinks_read_ok", { process: "main" })).toEqual([1]);
    expect(collector.unique("/webhook").length).toBeGreaterThan(0);
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
    expect((await api(two.url, token, "DELETE", "/api/v1/sinks/down")).status).toBe(204);
    expect(samples(await scrape(), "mandate_sink_lag_entries", { sink: "down" })).toEqual([]);
  });

  it("a real Prometheus server scraping the node sees the decision counter summed over both workers", async () => {
    const before = sum(samples((await get(twoMetrics)).body, "mandate_decisions_total"));
    const webPort = await freePort();
    writeFileSync(
      join(promDir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: mandate\n    static_configs:\n      - targets: ["${new URL(twoMetrics).host}"]\n`,
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(promDir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(promDir, "data")}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let promLog = "";
    prometheus.stderr!.on("data", (d: Buffer) => (promLog += d.toString()));
    await decide(two, 6);
    const expected = before + 6;
    const query = async (q: string) => {
      const r = await get(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (r.status !== 200) return null;
      return JSON.parse(r.body) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    };
    const seen = await timeUntil(60_000, async () => Number((await query("sum(mandate_decisions_total)"))?.data.result[0]?.value[1]) === expected);
    expect(seen, `Prometheus never saw ${expected} decisions:\n${promLog}`).toBeLessThan(60_000);
    const byProcess = await query("sum by (process) (mandate_decisions_total)");
    expect(byProcess!.data.result.map((r) => r.metric.process).sort()).toEqual(["w1", "w2"]);
    const up = await query('up{job="mandate"}');
    expect(up!.data.result[0].value[1]).toBe("1");
  });

  it("on the main port only with MANDATE_METRICS_TOKEN: 401 without it or with a wrong one (from loopback too), 200 with it", async () => {
    const none = await get(`${two.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(none.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(none.body).not.toContain("mandate_decisions_total");
    const wrong = await get(`${two.url}/metrics`, { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    const agentKey = await get(`${two.url}/metrics`, { authorization: `Bearer ${two.credentials!.agents[0].api_key}` });
    expect(agentKey.status).toBe(401);
    // Either worker may take the connection: each asks the primary for the whole node's metrics.
    for (let i = 0; i < 2; i++) {
      const ok = await get(`${two.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
      expect(ok.status).toBe(200);
      for (const p of ["main", "w1", "w2"]) expect(samples(ok.body, "process_cpu_seconds_total", { process: p })).toHaveLength(1);
    }
  });

  it("is not on the main port without the token (404), and a single-process node serves its own on the listener", async () => {
    const r = await get(`${one.url}/metrics`);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain("mandate_decisions_total");
    expect((await get(`${one.url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    await decide(one, 2);
    const m = await get(oneMetrics);
    expect(m.status).toBe(200);
    expect(sum(samples(m.body, "mandate_decisions_total", { process: "main" }))).toBe(2);
    expect((await get(oneMetrics.replace("/metrics", "/other"))).status).toBe(404);
  });
});

describe("the node's log", () => {
  it("is one JSON object per line with time, level and msg; MANDATE_LOG_LEVEL=warn leaves info out", () => {
    const lines = (n: MandateHandle) =>
      n
        .logs()
        .split("\n")
        .filter((l) => l.startsWith("{"));
    const parsed = lines(two).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThan(0);
    for (const p of parsed) {
      expect(typeof p.time).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(p.level);
      expect(typeof p.msg).toBe("string");
    }
    expect(parsed.some((p) => p.level === "info" && /listening on http/.test(String(p.msg)))).toBe(true);
    expect(lines(one).some((l) => (JSON.parse(l) as { level: string }).level === "info")).toBe(false);
  });
});
