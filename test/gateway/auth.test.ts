/**
 * Every channel is authenticated before anything is spawned or relayed, and sessions are bounded.
 * The upstream is the fixture server, which writes a marker file named by its pid when it starts: the
 * markers count exactly the upstream processes a gateway started.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startMandate } from "../support/mandate.ts";
import {
  ALLOW_ALL_POLICY,
  GATEWAY_BIN,
  INIT_PARAMS,
  RAW_SERVER,
  RawStdioClient,
  connectClient,
  freePort,
  httpTransport,
  rawHttpPost,
  rawHttpSession,
  startGatewayHttp,
  tempDir,
  waitFor,
} from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
type Gateway = Awaited<ReturnType<typeof startGatewayHttp>>;
let mandate: Mandate;
let alice: { id: string; apiKey: string };
let bob: { id: string; apiKey: string };
const stops: Array<() => Promise<void>> = [];
const spoolDir = tempDir("auth-spool");
const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: INIT_PARAMS };

/** A gateway in HTTP mode in front of the fixture server; `markers()` lists the pids of the upstreams it started. */
async function gateway(extra: Record<string, unknown> = {}, mandateUrl = mandate.url) {
  const dir = tempDir("markers");
  const gw = await startGatewayHttp({
    mandate: { url: mandateUrl, timeoutMs: 2000 },
    events: { spoolDir },
    servers: { raw: { command: process.execPath, args: [RAW_SERVER], env: { RAW_SERVER_MARKER_DIR: dir } } },
    ...extra,
  });
  stops.push(gw.stop);
  return Object.assign(gw, { markers: () => readdirSync(dir).map(Number).sort() });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const healthz = async (gw: Gateway) => (await (await fetch(new URL("/healthz", gw.url))).json()) as { sessions: number };

beforeAll(async () => {
  mandate = await startMandate();
  alice = await mandate.createAgent("gateway-auth-alice");
  bob = await mandate.createAgent("gateway-auth-bob");
  await mandate.publishPolicy(ALLOW_ALL_POLICY);
});

afterAll(async () => {
  for (const s of stops) await s();
  await mandate?.stop();
});

describe("HTTP mode: authentication at initialize", () => {
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    gw = await gateway();
  });

  it("refuses a missing key with 401 and WWW-Authenticate, starting nothing", async () => {
    const r = await rawHttpPost(gw.url, INITIALIZE);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe('Bearer realm="mandate-gateway"');
    expect(gw.markers()).toEqual([]);
  });

  it("refuses an invalid key with 401 and WWW-Authenticate before any upstream starts", async () => {
    for (const key of ["not-a-real-key", "mnd_ak_0000000000000000_000000000000000000000000000000000000000000000000"]) {
      const r = await rawHttpPost(gw.url, INITIALIZE, bearer(key));
      expect(r.status, key).toBe(401);
      expect(r.headers.get("www-authenticate"), key).toBe('Bearer realm="mandate-gateway", error="invalid_token"');
      expect(JSON.parse(r.text).detail, key).toMatch(/Mandate refused this agent key: (malformed|unknown) credential/);
    }
    await expect(connectClient(httpTransport(gw.url, "not-a-real-key"))).rejects.toThrow(/401/);
    // A valid credential that is not an agent key (a user's API token): 403, nothing started either.
    const user = await rawHttpPost(gw.url, INITIALIZE, bearer(mandate.adminToken));
    expect(user.status).toBe(403);
    expect(JSON.parse(user.text).detail).toMatch(/this endpoint is for agents/);
    expect(gw.markers()).toEqual([]);
    expect((await healthz(gw)).sessions).toBe(0);
  });

  it("relays nothing for an invalid key: resources/list, resources/read and prompts/get are refused", async () => {
    const s = await rawHttpSession(gw.url, alice.apiKey); // a real session, to try the invalid key on it too
    const started = gw.markers();
    expect(started).toHaveLength(1);
    for (const [method, params] of [
      ["resources/list", {}],
      ["resources/read", { uri: "fixture://ok" }],
      ["prompts/get", { name: "raw__broken" }],
    ] as const) {
      const msg = { jsonrpc: "2.0", id: 7, method, params };
      const without = await rawHttpPost(gw.url, msg, bearer("not-a-real-key"));
      expect(without.status, method).toBe(400); // no session: only initialize may open one, and that is refused
      const onSession = await rawHttpPost(gw.url, msg, { ...bearer("not-a-real-key"), "mcp-session-id": s.sessionId });
      expect(onSession.status, method).toBe(403);
      expect(onSession.text).not.toMatch(/fixture:\/\/|contents|messages/);
    }
    expect(gw.markers()).toEqual(started);
    expect(await s.delete()).toBe(200);
  });

  it("opens no session for a suspended agent (403)", async () => {
    const dave = await mandate.createAgent("gateway-auth-dave");
    const r = await api(mandate.url, mandate.adminToken, "POST", `/api/v1/agents/${dave.id}/suspend`, { reason: "test" });
    expect(r.status).toBe(200);
    await waitFor(
      () => api(mandate.url, dave.apiKey, "GET", "/api/v1/agents/me").then((x) => x.body?.suspended),
      (v) => v === true,
      10_000,
      "the suspension",
    );
    const started = gw.markers();
    const init = await rawHttpPost(gw.url, INITIALIZE, bearer(dave.apiKey));
    expect(init.status).toBe(403);
    expect(JSON.parse(init.text).detail).toMatch(/agent "gateway-auth-dave" is suspended/);
    expect(gw.markers()).toEqual(started);
  });

  it("answers 503 when Mandate cannot be reached to check the key, starting nothing", async () => {
    const down = await gateway({}, `http://127.0.0.1:${await freePort()}`);
    const r = await rawHttpPost(down.url, INITIALIZE, bearer(alice.apiKey));
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).detail).toMatch(/could not be checked.*ECONNREFUSED/);
    expect(down.markers()).toEqual([]);
  });

  it("a revoked key opens no new session, and its open session ends at its next governed call", async () => {
    const carol = await mandate.createAgent("gateway-auth-carol");
    const me = await api(mandate.url, carol.apiKey, "GET", "/api/v1/agents/me");
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: carol.id, name: "gateway-auth-carol", key_id: expect.any(String), suspended: false });
    expect((await api(mandate.url, mandate.adminToken, "GET", "/api/v1/agents/me")).status).toBe(403);
    expect((await fetch(`${mandate.url}/api/v1/agents/me`)).status).toBe(401);
    const s = await rawHttpSession(gw.url, carol.apiKey);
    const pid = gw.markers().find((p) => alive(p))!;
    const revoke = await api(mandate.url, mandate.adminToken, "POST", `/api/v1/keys/${me.body.key_id}/revoke`, {});
    expect(revoke.status).toBe(200);
    // Mandate refuses a revoked key on its next request (change feed); the gateway asks on every initialize.
    await waitFor(
      () => api(mandate.url, carol.apiKey, "GET", "/api/v1/agents/me").then((r) => r.status),
      (st) => st === 401,
      10_000,
      "revocation",
    );
    // The open session: its next governed call is refused (fail closed), and then it is closed.
    const call = await s.request("tools/call", { name: "raw__progress", arguments: { n: 1 } });
    expect(call.response.result?._meta?.["mandate/error"]?.code).toBe("mandate_unavailable");
    await waitFor(
      () => healthz(gw),
      (h) => h.sessions === 0,
      10_000,
      "the revoked key's session to close",
    );
    const again = await rawHttpPost(gw.url, INITIALIZE, bearer(carol.apiKey));
    expect(again.status).toBe(401);
    expect(JSON.parse(again.text).detail).toMatch(/credential revoked/);
    const after = await rawHttpPost(
      gw.url,
      { jsonrpc: "2.0", id: 9, method: "resources/list" },
      {
        ...bearer(carol.apiKey),
        "mcp-session-id": s.sessionId,
      },
    );
    expect(after.status).toBe(404);
    await waitFor(
      () => alive(pid),
      (a) => !a,
      10_000,
      "its upstream process to exit",
    );
  });
});

describe("HTTP mode: a session closed while its upstreams start", () => {
  it("leaves no upstream running (here: its key is revoked during initialize)", async () => {
    const frank = await mandate.createAgent("gateway-auth-frank");
    const keyId = (await api(mandate.url, frank.apiKey, "GET", "/api/v1/agents/me")).body.key_id;
    const gate = join(tempDir("gate"), "open");
    const dir = tempDir("markers");
    const gated = await startGatewayHttp({
      mandate: { url: mandate.url },
      events: { spoolDir },
      servers: { raw: { command: process.execPath, args: [RAW_SERVER], env: { RAW_SERVER_MARKER_DIR: dir, RAW_SERVER_INIT_GATE: gate } } },
    });
    stops.push(gated.stop);
    const pending = rawHttpPost(gated.url, INITIALIZE, bearer(frank.apiKey));
    const [pid] = await waitFor(
      () => readdirSync(dir).map(Number),
      (m) => m.length === 1,
      10_000,
      "the upstream to start",
    );
    expect((await api(mandate.url, mandate.adminToken, "POST", `/api/v1/keys/${keyId}/revoke`, {})).status).toBe(200);
    await waitFor(
      () => api(mandate.url, frank.apiKey, "GET", "/api/v1/agents/me").then((r) => r.status),
      (st) => st === 401,
      10_000,
      "revocation",
    );
    // Another initialize with the key: Mandate answers 401, which closes the key's sessions, this one too.
    expect((await rawHttpPost(gated.url, INITIALIZE, bearer(frank.apiKey))).status).toBe(401);
    await waitFor(
      () => healthz(gated),
      (h) => h.sessions === 0,
      10_000,
      "the session to close",
    );
    writeFileSync(gate, ""); // now the upstream answers initialize, after its session is gone
    await pending;
    await waitFor(
      () => alive(pid),
      (a) => !a,
      10_000,
      "the upstream to be closed",
    );
  });
});

describe("HTTP mode: session caps", () => {
  it("caps sessions per key and in all (429 with Retry-After, nothing started), and frees a slot on DELETE", async () => {
    const gw = await gateway({ sessions: { maxPerKey: 3, maxTotal: 5 } });
    // Four at once for one key: exactly three get a session.
    const first = await Promise.all([0, 1, 2, 3].map(() => rawHttpPost(gw.url, INITIALIZE, bearer(alice.apiKey))));
    expect(first.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    const refused = first.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(refused.text).detail).toMatch(/already has 3 open sessions \(the limit is 3\)/);
    await waitFor(
      () => gw.markers().length,
      (n) => n === 3,
      10_000,
      "three upstreams",
    );

    // Bob fills the gateway's total of five; his third is over the total.
    expect((await rawHttpPost(gw.url, INITIALIZE, bearer(bob.apiKey))).status).toBe(200);
    expect((await rawHttpPost(gw.url, INITIALIZE, bearer(bob.apiKey))).status).toBe(200);
    const overTotal = await rawHttpPost(gw.url, INITIALIZE, bearer(bob.apiKey));
    expect(overTotal.status).toBe(429);
    expect(overTotal.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(overTotal.text).detail).toMatch(/the gateway has 5 open sessions \(the limit is 5\)/);
    await waitFor(
      () => gw.markers().length,
      (n) => n === 5,
      10_000,
      "five upstreams",
    );
    expect(gw.markers()).toHaveLength(5);

    // Closing one of Alice's sessions frees its slot (and ends its upstream).
    const sid = first.find((r) => r.status === 200)!.headers.get("mcp-session-id")!;
    const before = gw.markers().filter(alive);
    const del = await fetch(gw.url, { method: "DELETE", headers: { ...bearer(alice.apiKey), "mcp-session-id": sid } });
    expect(del.status).toBe(200);
    await waitFor(
      () => gw.markers().filter(alive).length,
      (n) => n === 4,
      10_000,
      "the deleted session's upstream to exit",
    );
    expect(before.filter((p) => !alive(p))).toHaveLength(1);
    const reopened = await rawHttpPost(gw.url, INITIALIZE, bearer(alice.apiKey));
    expect(reopened.status).toBe(200);
    expect((await healthz(gw)).sessions).toBe(5);
  });

  it("closes idle sessions with their upstreams, but not a session with a request open", async () => {
    const gw = await gateway({ sessionIdleMs: 2000 });
    const busy = await rawHttpSession(gw.url, alice.apiKey);
    // The busy session keeps its server-to-client SSE stream open.
    const stream = new AbortController();
    const get = await fetch(gw.url, {
      headers: { ...bearer(alice.apiKey), "mcp-session-id": busy.sessionId, accept: "text/event-stream" },
      signal: stream.signal,
    });
    expect(get.status).toBe(200);
    const idle = await rawHttpSession(gw.url, alice.apiKey);
    const pids = await waitFor(
      () => gw.markers(),
      (m) => m.length === 2,
      10_000,
      "two upstreams",
    );
    await waitFor(
      () => healthz(gw),
      (h) => h.sessions === 1,
      15_000,
      "the idle session to be closed",
    );
    const gone = await rawHttpPost(gw.url, { jsonrpc: "2.0", id: 3, method: "ping" }, { ...bearer(alice.apiKey), "mcp-session-id": idle.sessionId });
    expect(gone.status).toBe(404);
    // Which upstream belonged to which session is not known; one of the two exits, the other keeps running.
    await waitFor(
      () => pids.filter(alive).length,
      (n) => n === 1,
      10_000,
      "the idle session's upstream to exit",
    );
    expect((await busy.request("ping")).response.result).toEqual({});
    stream.abort();
    await waitFor(
      () => healthz(gw),
      (h) => h.sessions === 0,
      15_000,
      "the other session to be closed once idle",
    );
    await waitFor(
      () => pids.filter(alive).length,
      (n) => n === 0,
      10_000,
      "both upstreams to exit",
    );
  });
});

describe("stdio mode: the key is checked before anything starts", () => {
  async function stdio(env: Record<string, string>) {
    const dir = tempDir("markers");
    const c = RawStdioClient.spawn(process.execPath, [GATEWAY_BIN, "stdio", "--server", "raw", "--spool-dir", spoolDir, "--", process.execPath, RAW_SERVER], {
      RAW_SERVER_MARKER_DIR: dir,
      ...env,
    });
    c.notify("notifications/initialized"); // a client writing at once must not get anything started either
    const code = await c.exited;
    return { code, stderr: c.stderr, markers: readdirSync(dir) };
  }

  it("refuses to start with an invalid key (exit 2, a clear message)", async () => {
    const r = await stdio({ MANDATE_URL: mandate.url, MANDATE_API_KEY: "not-a-real-key" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mandate-gateway: MANDATE_API_KEY was refused by Mandate at http:\/\/127\.0\.0\.1:\d+; not starting: .*malformed credential/);
    expect(r.markers).toEqual([]);
  });

  it("stops (exit 2, closing the server) after Mandate refuses a key revoked while it runs", async () => {
    const erin = await mandate.createAgent("gateway-auth-erin");
    const keyId = (await api(mandate.url, erin.apiKey, "GET", "/api/v1/agents/me")).body.key_id;
    const dir = tempDir("markers");
    const c = RawStdioClient.spawn(process.execPath, [GATEWAY_BIN, "stdio", "--server", "raw", "--spool-dir", spoolDir, "--", process.execPath, RAW_SERVER], {
      RAW_SERVER_MARKER_DIR: dir,
      MANDATE_URL: mandate.url,
      MANDATE_API_KEY: erin.apiKey,
    });
    stops.push(() => c.close());
    await c.initialize();
    expect((await c.request("ping")).response.result).toEqual({});
    const [pid] = readdirSync(dir).map(Number);
    expect(alive(pid)).toBe(true);
    expect((await api(mandate.url, mandate.adminToken, "POST", `/api/v1/keys/${keyId}/revoke`, {})).status).toBe(200);
    await waitFor(
      () => api(mandate.url, erin.apiKey, "GET", "/api/v1/agents/me").then((r) => r.status),
      (st) => st === 401,
      10_000,
      "revocation",
    );
    const call = await c.request("tools/call", { name: "progress", arguments: { n: 1 } });
    expect(call.response.result?._meta?.["mandate/error"]?.code).toBe("mandate_unavailable");
    expect(await c.exited).toBe(2);
    expect(c.stderr).toMatch(/Mandate no longer accepts MANDATE_API_KEY \(revoked or expired\): stopping/);
    await waitFor(
      () => alive(pid),
      (a) => !a,
      10_000,
      "the server to exit",
    );
  });

  it("refuses to start when Mandate cannot be reached (exit 1)", async () => {
    const r = await stdio({ MANDATE_URL: `http://127.0.0.1:${await freePort()}`, MANDATE_API_KEY: alice.apiKey });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mandate-gateway: cannot reach Mandate at .* to check MANDATE_API_KEY; not starting: .*ECONNREFUSED/);
    expect(r.markers).toEqual([]);
  });
});
