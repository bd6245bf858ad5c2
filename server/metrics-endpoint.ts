/**
 * `GET /metrics` (Prometheus text exposition) of the whole node — every process of it (lib/telemetry/scrape.ts):
 *
 * - on its own listener, MANDATE_METRICS_LISTEN (default 127.0.0.1:9464, `off`: none), run by the node's
 *   only process or its primary; no credential is asked there (keep it on loopback or a private network);
 * - on the node's main port only when MANDATE_METRICS_TOKEN is set, with `Authorization: Bearer <token>`
 *   (401 otherwise, whatever the client's address: no loopback exemption). Without the token the path is
 *   not the data plane's (the console answers it: 404).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseListenAddress } from "../lib/env.ts";
import { MandateError, toProblem } from "../lib/errors.ts";
import { send } from "../lib/http/route.ts";
import { METRICS_CONTENT_TYPE } from "../lib/telemetry/scrape.ts";
import { logger } from "../lib/telemetry/log.ts";

/** The node's exposition (all its processes). */
export type NodeScrape = () => Promise<string>;

export const METRICS_PATH = "/metrics";

function answer(req: IncomingMessage, res: ServerResponse, scrape: NodeScrape): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    const err = new MandateError(405, "method_not_allowed", `${req.method} is not allowed on ${METRICS_PATH}`);
    return send(res, 405, toProblem(err, METRICS_PATH), { Allow: "GET, HEAD" }, "application/problem+json");
  }
  scrape().then(
    (text) => {
      res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
      res.end(req.method === "HEAD" ? undefined : text);
    },
    (err: Error) => {
      logger.warn("metrics scrape failed", { component: "metrics", err });
      send(res, 500, toProblem(new MandateError(500, "internal", "the metrics could not be collected"), METRICS_PATH), {}, "application/problem+json");
    },
  );
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The main port's `/metrics` behind the bearer token; null when MANDATE_METRICS_TOKEN is not set. */
export function tokenGuardedMetrics(token: string | undefined, scrape: NodeScrape) {
  if (!token) return null;
  const expected = digest(token);
  return (req: IncomingMessage, res: ServerResponse): void => {
    const h = req.headers.authorization ?? "";
    const given = /^Bearer (.+)$/i.exec(h)?.[1] ?? "";
    if (!given || !timingSafeEqual(digest(given), expected)) {
      const err = new MandateError(401, "unauthenticated", "a bearer token (MANDATE_METRICS_TOKEN) is required for the metrics on this port");
      return send(res, 401, toProblem(err, METRICS_PATH), { "WWW-Authenticate": 'Bearer realm="mandate-metrics"' }, "application/problem+json");
    }
    answer(req, res, scrape);
  };
}

/** The metrics listener (MANDATE_METRICS_LISTEN), or null for `off`. A listener that cannot bind fails the start. */
export async function startMetricsListener(listen: string, scrape: NodeScrape, log: (m: string) => void): Promise<Server | null> {
  if (listen === "off") return null;
  const at = parseListenAddress(listen);
  if (!at) throw new Error(`MANDATE_METRICS_LISTEN: not host:port: ${listen}`);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== METRICS_PATH)
      return send(res, 404, toProblem(new MandateError(404, "not_found", `only ${METRICS_PATH} here`), path), {}, "application/problem+json");
    answer(req, res, scrape);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`MANDATE_METRICS_LISTEN ${listen}: ${err.message}`)));
    server.listen(at.port, at.host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : at.port;
  log(`metrics on http://${at.host.includes(":") ? `[${at.host}]` : at.host}:${port}${METRICS_PATH}`);
  return server;
}

export function closeMetricsListener(server: Server | null): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeIdleConnections();
  return new Promise<void>((r) => server.close(() => r()));
}
