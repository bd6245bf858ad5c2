/**
 * Streamable HTTP mode: one endpoint (default /mcp) in front of several upstream servers.
 *
 * Each client authenticates with its own Mandate agent API key: `Authorization: Bearer <agent key>`.
 * The gateway holds no shared identity: decisions, inventory and outcome events of a session are sent
 * with that session's key, and every later request of the session must carry the same key.
 *
 * Nothing is started or relayed for an unauthenticated client: `initialize` checks the key with Mandate
 * first (401 without a valid key, 403 for a suspended agent, 503 when Mandate cannot say), then takes a
 * session slot (429 with Retry-After over `sessions.maxPerKey` or `sessions.maxTotal`), and only then
 * are the session's upstream connections made (stdio servers are started per session). A session is
 * closed, with its upstreams, on DELETE, when its transport closes, after `sessionIdleMs` with no request
 * in flight and none received, and when Mandate answers 401 for its key (revoked).
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayConfig } from "./config.ts";
import { NodeStreamableHttpTransport } from "./http-transport.ts";
import { InventoryCache } from "./inventory.ts";
import { checkKey } from "./key-check.ts";
import { keyFingerprint, MandateClient } from "./mandate-client.ts";
import { createReporter, log } from "./runtime.ts";
import { GatewaySession } from "./session.ts";
import { SessionSlots } from "./session-slots.ts";
import { defaultInheritedEnv } from "./upstream.ts";
import { GATEWAY_VERSION } from "./version.ts";

interface Entry {
  session: GatewaySession;
  transport: NodeStreamableHttpTransport;
  fingerprint: string;
  /** When the last request arrived or finished. */
  lastSeen: number;
  /** HTTP requests of this session still open (a call in progress, an SSE stream). */
  active: number;
  release: () => void;
}

const MAX_BODY = 4 * 1024 * 1024;
const REALM = 'Bearer realm="mandate-gateway"';

function problem(res: http.ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}) {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail }));
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new Error("request body is not valid JSON"));
      }
    });
    req.on("error", reject);
  });
}

export interface HttpGateway {
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

export async function runHttp(config: GatewayConfig): Promise<HttpGateway> {
  const reporter = createReporter(config);
  const inventory = new InventoryCache();
  const entries = new Map<string, Entry>();
  const clients = new Map<string, MandateClient>();
  const slots = new SessionSlots(config.sessions);
  // Idle sessions are looked for every quarter of the idle time (at most every 30 s): a forgotten
  // session holds its slot and processes for at most sessionIdleMs + sweepMs.
  const sweepMs = Math.min(30_000, Math.max(50, Math.floor(config.sessionIdleMs / 4)));
  const retryAfter = String(Math.ceil((config.sessionIdleMs + sweepMs) / 1000));

  const newClient = (key: string) =>
    new MandateClient({
      url: config.mandate.url,
      apiKey: key,
      timeoutMs: config.mandate.timeoutMs,
      userAgent: `mandate-gateway/${GATEWAY_VERSION}`,
      // Mandate no longer accepts this key (revoked, expired): its open sessions end after the answer
      // in progress, so nothing more is relayed for it.
      onUnauthorized: (fingerprint) => setImmediate(() => dropKey(fingerprint, "Mandate refused its agent key")),
    });

  /** The client of a key that Mandate accepted (registered with the reporter, which re-sends its spool). */
  const clientFor = (key: string): MandateClient => {
    const fp = keyFingerprint(key);
    let c = clients.get(fp);
    if (!c) {
      c = newClient(key);
      clients.set(fp, c);
      reporter.register(c);
    }
    return c;
  };

  function drop(id: string, e: Entry, why: string): void {
    if (entries.get(id) !== e) return;
    entries.delete(id);
    e.release();
    if (why) log(`session ${id} closed: ${why}`);
    void e.transport.close().then(() => e.session.close());
  }

  function dropKey(fingerprint: string, why: string): void {
    for (const [id, e] of entries) if (e.fingerprint === fingerprint) drop(id, e, why);
  }

  /** Counts an HTTP request of a session as activity until its response is finished. */
  function track(e: Entry, res: http.ServerResponse): void {
    e.active++;
    e.lastSeen = Date.now();
    res.once("close", () => {
      e.active--;
      e.lastSeen = Date.now();
    });
  }

  async function startSession(req: http.IncomingMessage, res: http.ServerResponse, key: string): Promise<void> {
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (e) {
      return problem(res, 400, "Bad Request", (e as Error).message);
    }
    if (!isInitializeRequest(body)) return problem(res, 400, "Bad Request", "no Mcp-Session-Id header: the first request of a session must be initialize");
    const fp = keyFingerprint(key);
    const check = await checkKey(clients.get(fp) ?? newClient(key));
    if (!check.ok) {
      if (check.status === 401) return problem(res, 401, "Unauthorized", check.detail, { "www-authenticate": `${REALM}, error="invalid_token"` });
      if (check.status === 403) return problem(res, 403, "Forbidden", check.detail);
      return problem(res, 503, "Service Unavailable", check.detail);
    }
    const slot = slots.acquire(fp);
    if (!slot.ok) {
      log(`session refused for agent "${check.agent.name}": ${slot.detail}`);
      return problem(res, 429, "Too Many Requests", slot.detail, { "retry-after": retryAfter });
    }
    const mandate = clientFor(key);
    const session = new GatewaySession({
      config,
      mandate,
      reporter,
      inventory,
      multi: true,
      inheritEnv: defaultInheritedEnv(),
      secrets: [key, config.mandate.apiKey ?? ""],
      stderr: "inherit",
      log,
    });
    const transport = new NodeStreamableHttpTransport({
      sessionIdGenerator: () => randomUUID(),
      maxBodyBytes: MAX_BODY,
      onsessioninitialized: (id) => {
        const entry: Entry = { session, transport, fingerprint: fp, lastSeen: Date.now(), active: 0, release: slot.release };
        entries.set(id, entry);
        track(entry, res);
      },
    });
    await session.connect(transport);
    session.server.onclose = () => {
      const id = transport.sessionId;
      const e = id === undefined ? undefined : entries.get(id);
      if (id !== undefined && e?.session === session) drop(id, e, "");
      else void session.close();
    };
    // initialize refused (Mandate denied every server, or could not be asked): once its answer is out,
    // the session ends and frees its slot instead of waiting to be found idle.
    res.once("close", () => {
      const id = transport.sessionId;
      const e = id === undefined ? undefined : entries.get(id);
      if (id !== undefined && e?.session === session && !session.isInitialized) drop(id, e, "initialize was refused");
    });
    try {
      await transport.handleRequest(req, res, body);
    } finally {
      // Refused by the transport before a session existed (406, 415, 400): nothing was started.
      if (transport.sessionId === undefined) {
        slot.release();
        void session.close();
      }
    }
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://gateway");
      if (url.pathname === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ status: "ok", sessions: entries.size, pending_events: reporter.pendingCount() }));
      }
      if (url.pathname !== config.path) return problem(res, 404, "Not Found", `the MCP endpoint is ${config.path}`);
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      if (!m)
        return problem(res, 401, "Unauthorized", "send your Mandate agent API key as Authorization: Bearer <key>", {
          "www-authenticate": REALM,
        });
      const key = m[1];
      const sid = req.headers["mcp-session-id"];
      if (typeof sid === "string") {
        const entry = entries.get(sid);
        if (!entry) return problem(res, 404, "Not Found", `unknown or expired session ${sid}: initialize a new one`);
        if (entry.fingerprint !== keyFingerprint(key)) return problem(res, 403, "Forbidden", "this session was opened with a different agent credential");
        track(entry, res);
        return entry.transport.handleRequest(req, res);
      }
      if (req.method !== "POST") return problem(res, 400, "Bad Request", "missing Mcp-Session-Id header");
      return startSession(req, res, key);
    })().catch((e) => {
      log(`request failed: ${(e as Error).stack ?? e}`);
      problem(res, 500, "Internal Server Error", "the gateway failed to handle this request");
    });
  });

  const sweep = setInterval(() => {
    const cutoff = Date.now() - config.sessionIdleMs;
    for (const [id, e] of entries) if (e.active === 0 && e.lastSeen < cutoff) drop(id, e, `idle for ${config.sessionIdleMs} ms`);
  }, sweepMs);
  sweep.unref();

  const { host, port } = config.listen!;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const gatewayUrl = `http://${shownHost}:${addr.port}${config.path}`;
  log(`listening on ${gatewayUrl} with upstream servers: ${Object.keys(config.servers).join(", ")}`);

  return {
    url: gatewayUrl,
    sessions: () => entries.size,
    async close() {
      clearInterval(sweep);
      const all = [...entries.values()];
      entries.clear();
      for (const e of all) e.release();
      await Promise.all(all.map((e) => e.session.close()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await reporter.close(3_000);
    },
  };
}
