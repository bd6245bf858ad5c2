/**
 * Issue 19 §2, audit streaming to SIEMs, against real receivers: an HTTP collector (test/support/collector.ts:
 * webhook NDJSON, Splunk HEC, OTLP/HTTP logs) and Debian's rsyslogd (RFC 5424 over TCP, and over TLS with a
 * throwaway CA, CEF). The key case: decisions under load, the collector killed and brought back while they
 * go on — every entry arrives (count sent = count received by id), per chain in seq order without gaps,
 * duplicates only of the same id. Also: the API's validation and roles, `sinks test`, the dead-letter list
 * for an entry a receiver refuses for good, and that adding and removing sinks is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMasterKey } from "../../lib/crypto/master-key.ts";
import { getPool } from "../../lib/db/pool.ts";
import { SinkDeliverer } from "../../lib/sinks/deliverer.ts";
import { Collector, type Received } from "../support/collector.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";
import { Rsyslog } from "../support/rsyslog.ts";
import { DecisionLoad, timeUntil } from "../faults/support.ts";

const SECRETS = { webhook: "webhook-hmac-key-for-the-test", hec: "hec-token-0123456789", otlp: "otlp-token-0123456789" };
let m: MandateHandle;
let collector: Collector;
let rsyslog: Rsyslog;

beforeAll(async () => {
  [collector, rsyslog] = await Promise.all([new Collector(SECRETS).start(), new Rsyslog().start()]);
  m = await startMandate({ env: { MANDATE_SINK_MAX_BACKOFF_S: "1", MANDATE_SINK_MAX_ATTEMPTS: "2" } });
}, 180_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
  await collector?.kill();
  await rsyslog?.stop();
});

const admin = (method: string, path: string, body?: unknown) => api(m.url, m.adminToken, method, path, body);

/** Every stored entry as `chain:seq`, grouped by chain (seq ascending). */
async function stored(): Promise<Map<string, number[]>> {
  const r = await getPool().query<{ chain_id: string; seq: string }>("SELECT chain_id, seq FROM audit_entries ORDER BY chain_id, seq");
  const by = new Map<string, number[]>();
  for (const e of r.rows) by.set(e.chain_id, [...(by.get(e.chain_id) ?? []), Number(e.seq)]);
  return by;
}

/** Received events (unique by id, first arrival order) per chain: seq ascending with no gap, from `from(chain)`. */
function expectChainOrder(events: Received[], from: (chain: string) => number): Map<string, number[]> {
  const by = new Map<string, number[]>();
  for (const e of events) by.set(e.chain, [...(by.get(e.chain) ?? []), e.seq]);
  for (const [chain, seqs] of by) {
    const first = from(chain);
    expect(seqs, `chain ${chain}`).toEqual(Array.from({ length: seqs.length }, (_, i) => first + i));
  }
  return by;
}

/** The syslog lines' event ids (structured data), unique, in arrival order, as Received-like records. */
function syslogEvents(lines: string[]): Received[] {
  const seen = new Set<string>();
  const out: Received[] = [];
  for (const l of lines) {
    const m1 = /^mandate ocsf-\d{4} \[mandate@32473 event_id="([0-9a-f-]+):(\d+)" chain_id="[0-9a-f-]+" seq="\d+" action="([^"]+)"\] /.exec(l);
    if (!m1) throw new Error(`not a Mandate syslog line: ${l.slice(0, 200)}`);
    const id = `${m1[1]}:${m1[2]}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, chain: m1[1], seq: Number(m1[2]), action: m1[3], event: { line: l } });
  }
  return out;
}

describe("audit sinks", () => {
  it("validates sinks, keeps tokens out of answers, tests a sink and audits adding and removing", async () => {
    const bad = [
      { name: "x", kind: "webhook", endpoint: "tcp://127.0.0.1:1" },
      { name: "x", kind: "syslog", endpoint: "http://127.0.0.1:1" },
      { name: "x", kind: "hec", format: "cef", endpoint: `${collector.url}/hec` },
      { name: "Bad Name", kind: "webhook", endpoint: `${collector.url}/w` },
      { name: "x", kind: "kafka", endpoint: `${collector.url}/w` },
      { name: "x", kind: "webhook", endpoint: `${collector.url}/w`, extra: 1 },
    ];
    for (const b of bad) expect((await admin("POST", "/api/v1/sinks", b)).status, JSON.stringify(b)).toBe(400);
    expect(await getPool().query("SELECT 1 FROM audit_sinks")).toMatchObject({ rowCount: 0 });

    const r = await admin("POST", "/api/v1/sinks", {
      name: "webhook",
      kind: "webhook",
      endpoint: `${collector.url}/webhook?q=secret`,
      token: SECRETS.webhook,
      from: "start",
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "webhook", kind: "webhook", format: "ocsf", endpoint: `${collector.url}/webhook`, has_token: true });
    expect(JSON.stringify(r.body)).not.toContain(SECRETS.webhook);
    const row = await getPool().query("SELECT secret_enc FROM audit_sinks WHERE name = 'webhook'");
    expect(row.rows[0].secret_enc).toMatch(/^v1\./);
    expect(row.rows[0].secret_enc).not.toContain(SECRETS.webhook);
    expect((await admin("POST", "/api/v1/sinks", { name: "webhook", kind: "webhook", endpoint: `${collector.url}/w2` })).status).toBe(409);

    const t = await admin("POST", "/api/v1/sinks/webhook/test");
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ ok: true, status: 200, event_id: "00000000-0000-0000-0000-000000000000:0" });
    expect(collector.got.get("/webhook")?.some((e) => e.action === "sink.test")).toBe(true);
    expect((await admin("POST", "/api/v1/sinks/nope/test")).status).toBe(404);

    const add = async (body: Record<string, unknown>) => expect((await admin("POST", "/api/v1/sinks", body)).status, String(body.name)).toBe(201);
    await add({ name: "hec", kind: "hec", endpoint: `${collector.url}/hec/services/collector/event`, token: SECRETS.hec });
    await add({ name: "otlp", kind: "otlp", endpoint: collector.url, token: SECRETS.otlp, from: "start" });
    await add({ name: "syslog-tcp", kind: "syslog", endpoint: `tcp://127.0.0.1:${rsyslog.tcpPort}`, from: "start" });
    await add({ name: "syslog-tls", kind: "syslog", format: "cef", endpoint: `tls://127.0.0.1:${rsyslog.tlsPort}`, ca: rsyslog.caPem, from: "start" });
    await add({ name: "doomed", kind: "webhook", endpoint: `${collector.url}/doomed` });
    expect((await admin("DELETE", "/api/v1/sinks/doomed")).status).toBe(204);
    expect((await admin("DELETE", "/api/v1/sinks/doomed")).status).toBe(404);
    const audited = await getPool().query("SELECT action, data->>'name' AS name FROM audit_entries WHERE action LIKE 'sink.%' ORDER BY created_at");
    expect(audited.rows.filter((a) => a.name === "doomed").map((a) => a.action)).toEqual(["sink.create", "sink.remove"]);
    expect(audited.rows.filter((a) => a.action === "sink.create")).toHaveLength(6);
  });

  it("delivers every entry once the receiver is back after dying under load: per chain in order, no gap", async () => {
    const key = m.credentials!.agents[0].api_key;
    const load = new DecisionLoad(m.url, key, { concurrency: 4, label: "sinks" });
    expect(await timeUntil(60_000, async () => load.answers.filter((a) => a.status === 200).length >= 60)).toBeLessThan(Infinity);
    await collector.kill();
    // Decisions go on while the receiver is down, and the sinks notice it.
    const before = load.answers.length;
    expect(
      await timeUntil(60_000, async () => {
        const s = (await admin("GET", "/api/v1/sinks")).body.sinks as Array<{ name: string; last_error: string | null }>;
        return s.find((x) => x.name === "webhook")!.last_error !== null && load.answers.length >= before + 60;
      }),
    ).toBeLessThan(Infinity);
    await collector.start();
    expect(await timeUntil(60_000, async () => load.answers.length >= before + 120)).toBeLessThan(Infinity);
    const answers = await load.stop();
    // Every call was answered. On a fast machine the load passes the default policy's rate limit for the
    // agent (600 allowed calls a minute, @id("rate")): those denies are recorded decisions like any other.
    // A deny for any other reason (a fail-closed answer) would be a defect.
    expect(
      answers.every((a) => a.status === 200 && (a.decision === "allow" || a.decision === "deny")),
      JSON.stringify(DecisionLoad.tally(answers)),
    ).toBe(true);
    const denied = answers.filter((a) => a.decision === "deny").map((a) => a.decisionId);
    const why = await getPool().query<{ policies: string[] }>(
      `SELECT array(SELECT jsonb_array_elements(data->'reasons')->>'policy') AS policies FROM audit_entries WHERE kind = 'decision' AND decision_id = ANY($1::uuid[])`,
      [denied],
    );
    expect(why.rows.length).toBe(denied.length);
    for (const r of why.rows) expect(r.policies).toEqual(["rate"]);

    const all = await stored();
    const total = [...all.values()].reduce((n, s) => n + s.length, 0);
    const hecPath = "/hec/services/collector/event";
    const hecCaughtUp = () => {
      const last = new Map(collector.unique(hecPath).map((e) => [e.chain, e.seq]));
      return [...last].every(([chain, seq]) => seq === all.get(chain)!.at(-1));
    };
    const done = async () =>
      hecCaughtUp() &&
      collector.unique("/webhook").filter((e) => e.action !== "sink.test").length === total &&
      collector.unique("/v1/logs").length === total &&
      syslogEvents(rsyslog.lines("tcp")).length === total &&
      syslogEvents(rsyslog.lines("tls")).length === total;
    expect(
      await timeUntil(120_000, done),
      `webhook ${collector.unique("/webhook").length}, otlp ${collector.unique("/v1/logs").length} of ${total}`,
    ).toBeLessThan(Infinity);

    // count sent = count received, by id; per chain from seq 1 upwards with no gap, in order.
    const sent = new Set([...all].flatMap(([chain, seqs]) => seqs.map((s) => `${chain}:${s}`)));
    for (const [name, events] of [
      ["webhook", collector.unique("/webhook").filter((e) => e.action !== "sink.test")],
      ["otlp", collector.unique("/v1/logs")],
      ["syslog-tcp", syslogEvents(rsyslog.lines("tcp"))],
      ["syslog-tls", syslogEvents(rsyslog.lines("tls"))],
    ] as const) {
      expect(new Set(events.map((e) => e.id)), name).toEqual(sent);
      expectChainOrder(events, () => 1);
    }
    // Redelivered batches are the same events again (same id, same content): the receiver deduplicates by id.
    const raw = collector.got.get("/webhook")!;
    const firstOf = new Map(collector.unique("/webhook").map((e) => [e.id, JSON.stringify(e.event)]));
    expect(raw.every((e) => firstOf.get(e.id) === JSON.stringify(e.event))).toBe(true);
    expect(rsyslog.lines("tls").every((l) => l.includes("CEF:0|Mandate|Mandate|"))).toBe(true);

    // HEC started "now": from its own sink.create entry on, complete and in order on every chain it saw.
    const hec = collector.unique(hecPath);
    const firstSeq = new Map<string, number>();
    for (const e of hec) if (!firstSeq.has(e.chain)) firstSeq.set(e.chain, e.seq);
    const byChain = expectChainOrder(hec, (c) => firstSeq.get(c)!);
    for (const [chain, seqs] of byChain) expect(seqs[seqs.length - 1], chain).toBe(all.get(chain)!.at(-1));
    expect(hec.some((e) => e.action === "sink.create" && e.event.entity.name === "hec")).toBe(true);

    const status = (await admin("GET", "/api/v1/sinks")).body.sinks as Array<{ name: string; lag: number; last_error: string | null; delivered: number }>;
    for (const s of status) expect(s, s.name).toMatchObject({ lag: 0, last_error: null, oldest_undelivered_at: null, oldest_undelivered_seconds: 0 });
    // Each sink's cursor is at the head of every chain with entries.
    for (const s of status as unknown as Array<{ name: string; cursors: Array<{ chain_id: string; last_seq: number; head_seq: number }> }>) {
      expect(new Set(s.cursors.map((c) => c.chain_id)), s.name).toEqual(new Set(all.keys()));
      for (const c of s.cursors) expect(c, s.name).toMatchObject({ last_seq: all.get(c.chain_id)!.at(-1), head_seq: all.get(c.chain_id)!.at(-1) });
    }
  }, 300_000);

  it("moves an entry the receiver refuses for good to the dead-letter list and goes on past it", async () => {
    collector.refuseAction = "agent.create";
    expect((await admin("POST", "/api/v1/sinks", { name: "picky", kind: "webhook", endpoint: `${collector.url}/picky`, token: SECRETS.webhook })).status).toBe(
      201,
    );
    await m.createAgent("dead-letter-agent");
    await m.createAgent("after-the-dead-letter");
    const letters = async () =>
      (await admin("GET", "/api/v1/sinks/picky/dead-letters")).body.dead_letters as Array<{ event_id: string; attempts: number; error: string }>;
    expect(await timeUntil(60_000, async () => (await letters()).length === 2)).toBeLessThan(Infinity);
    const dead = await letters();
    expect(dead[0]).toMatchObject({ attempts: 2, error: expect.stringContaining("HTTP 400") });
    collector.refuseAction = null;
    await admin("POST", "/api/v1/sinks", { name: "after", kind: "webhook", endpoint: `${collector.url}/after`, token: SECRETS.webhook });
    expect(
      await timeUntil(60_000, async () => collector.unique("/picky").some((e) => e.action === "sink.create" && e.event.entity.name === "after")),
    ).toBeLessThan(Infinity);
    const got = new Set(collector.unique("/picky").map((e) => e.id));
    for (const d of dead) expect(got.has(d.event_id)).toBe(false);
    // Wrong credentials are the sink's problem, not the entries': retried with back-off, nothing dead-lettered.
    expect(
      (await admin("POST", "/api/v1/sinks", { name: "wrong-token", kind: "webhook", endpoint: `${collector.url}/wrong`, token: "not-the-key" })).status,
    ).toBe(201);
    expect(await timeUntil(60_000, async () => collector.answered.filter((a) => a.path === "/wrong" && a.status === 401).length >= 4)).toBeLessThan(Infinity);
    expect((await admin("GET", "/api/v1/sinks/wrong-token/dead-letters")).body.dead_letters).toEqual([]);
    const [wrong] = ((await admin("GET", "/api/v1/sinks")).body.sinks as Array<{ name: string; last_error: string; lag: number }>).filter(
      (x) => x.name === "wrong-token",
    );
    expect(wrong.last_error).toMatch(/^HTTP 401/);
    expect(wrong.lag).toBeGreaterThan(0);
    // Behind: the oldest entry it has not received, and the chains where its cursor is behind the head.
    const w = wrong as unknown as { lag: number; oldest_undelivered_at: string; cursors: Array<{ last_seq: number; head_seq: number }> };
    const created = (
      await getPool().query<{ at: Date }>("SELECT min(created_at) AS at FROM audit_entries WHERE action = 'sink.create' AND data->>'name' = 'wrong-token'")
    ).rows[0].at;
    expect(new Date(w.oldest_undelivered_at).getTime()).toBe(created.getTime()); // its own sink.create entry, the first it never got
    expect(w.cursors.reduce((n, c) => n + c.head_seq - c.last_seq, 0)).toBe(w.lag);
    expect((await admin("DELETE", "/api/v1/sinks/wrong-token")).status).toBe(204);
    const [picky] = ((await admin("GET", "/api/v1/sinks")).body.sinks as Array<{ name: string; dead_letters: number }>).filter((s) => s.name === "picky");
    expect(picky.dead_letters).toBe(2);
  }, 120_000);

  it("delivers a sink from one node at a time: three deliverers contend, every event arrives once", async () => {
    // Two more deliverers (nodes "other-a", "other-b" on the same database) run rounds as fast as they can
    // beside the node's own; without the lease each would send the same batches.
    loadMasterKey({ dataDir: m.dataDir, createIfMissing: false }); // the node's, as another node would share it
    const others = [
      new SinkDeliverer({ node: "other-a", maxBackoffS: 1, maxAttempts: 2 }),
      new SinkDeliverer({ node: "other-b", maxBackoffS: 1, maxAttempts: 2 }),
    ];
    expect(
      (
        await admin("POST", "/api/v1/sinks", {
          name: "contended",
          kind: "webhook",
          endpoint: `${collector.url}/contended`,
          token: SECRETS.webhook,
          from: "start",
        })
      ).status,
    ).toBe(201);
    const total = async () => Number((await getPool().query("SELECT count(*) AS n FROM audit_entries")).rows[0].n);
    let spinning = true;
    const spin = Promise.all(
      others.map(async (d) => {
        while (spinning) await d.round();
      }),
    );
    try {
      expect(await timeUntil(60_000, async () => collector.unique("/contended").length === (await total()))).toBeLessThan(Infinity);
    } finally {
      spinning = false;
      await spin;
      await Promise.all(others.map((d) => d.stop()));
    }
    expect(collector.got.get("/contended")!.length).toBe(collector.unique("/contended").length);
    expectChainOrder(collector.unique("/contended"), () => 1);
  }, 120_000);
});
