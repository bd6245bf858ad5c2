/**
 * Streamable HTTP mode: one endpoint (default /mcp) in front of several upstream servers.
 *
 * Each client authenticates with its own Mandate agent API key: `Authorization: Bearer <agent key>`.
 * The gateway holds no shared identity: decisions, inventory and outcome events of a session are sent
 * with that session's key, and every later request of the session must carry the same key. Each
 * session gets its own upstream connections (stdio servers are started per session); they are closed
 * with the session (DELETE, transport close, or `sessionIdleMs` without a request).
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayConfig } from "./config.ts";
import { NodeStreamableHttpTransport } from "./http-transport.ts";
import { InventoryCache } from "./inventory.ts";
import { keyFingerprint, MandateClient } from "./mandate-client.ts";
import { createReporter, log } from "./runtime.ts";
import { GatewaySession } from "./session.ts";
import { defaultInheritedEnv } from "./upstream.ts";
import { GATEWAY_VERSION } from "./version.ts";

interface Entry {
  session: GatewaySession;
  transport: NodeStreamableHttpTransport;
  fingerprint: string;
  lastSeen: number;
}

const MAX_BODY = 4 * 1024 * 1024;

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

  const clientFor = (key: string): MandateClient => {
    const fp = keyFingerprint(key);
    let c = clients.get(fp);
    if (!c) {
      c = new MandateClient({ url: config.mandate.url, apiKey: key, timeoutMs: config.mandate.timeoutMs, userAgent: `mandate-gateway/${GATEWAY_VERSION}` });
      clients.set(fp, c);
      reporter.register(c);
    }
    return c;
  };

  async function startSession(req: http.IncomingMessage, res: http.ServerResponse, key: string): Promise<void> {
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (e) {
      return problem(res, 400, "Bad Request", (e as Error).message);
    }
    if (!isInitializeRequest(body))
      return problem(res, 400, "Bad Request", "no Mcp-Session-Id header: the first request of a session must be initialize");
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
        entries.set(id, { session, transport, fingerprint: mandate.fingerprint, lastSeen: Date.now() });
      },
    });
    await session.connect(transport);
    session.server.onclose = () => {
      if (transport.sessionId) entries.delete(transport.sessionId);
      void session.close();
    };
    await transport.handleRequest(req, res, body);
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
          "www-authenticate": 'Bearer realm="mandate-gateway"',
        });
      const key = m[1]!;
      const sid = req.headers["mcp-session-id"];
      if (typeof sid === "string") {
        const entry = entries.get(sid);
        if (!entry) return problem(res, 404, "Not Found", `unknown or expired session ${sid}: initialize a new one`);
        if (entry.fingerprint !== keyFingerprint(key))
          return problem(res, 403, "Forbidden", "this session was opened with a different agent credential");
        entry.lastSeen = Date.now();
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
    for (const [id, e] of entries)
      if (e.lastSeen < cutoff) {
        entries.delete(id);
        void e.transport.close().then(() => e.session.close());
      }
  }, Math.min(60_000, config.sessionIdleMs));
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
      await Promise.all([...entries.values()].map((e) => e.session.close()));
      entries.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await reporter.close(3_000);
    },
  };
}
