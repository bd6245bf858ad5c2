/**
 * The node's request handler: data-plane paths (/api/v1/*, /access/v1/*, /.well-known/*,
 * /api/openapi.json) are answered here through lib/http's router, without Next's per-request overhead;
 * every other path goes to the console (Next.js in this process, or proxied to the process that runs it:
 * server/console-proxy.ts), or is a 404 on a node without a console.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { toProblem, MandateError } from "../lib/errors.ts";
import { runRoute, send } from "../lib/http/route.ts";
import type { buildRouter } from "../lib/http/routes/index.ts";
import { requestUrl } from "../lib/http/security.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import { METRICS_PATH } from "./metrics-endpoint.ts";
import { logger } from "../lib/telemetry/log.ts";

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;
/** `/metrics` on the main port (server/metrics-endpoint.ts: only with MANDATE_METRICS_TOKEN, else null). */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function requestHandler(
  rt: Runtime,
  router: ReturnType<typeof buildRouter>,
  consoleHandler: ConsoleHandler | null,
  metrics: MetricsHandler | null = null,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Data-plane answers carry the security headers through send(); console answers get them where
    // Next.js runs (server/console.ts).
    const url = requestUrl(req, res);
    if (!url) return;
    if (metrics && url.pathname === METRICS_PATH) return metrics(req, res);
    const m = router.match(req.method ?? "GET", url.pathname);
    if (m && "def" in m) {
      runRoute(rt, m.def, req, res, m.params, url).catch((err: unknown) => {
        logger.error(`unhandled error on ${url.pathname}`, { component: "http", err });
        if (!res.headersSent) send(res, 500, { error: "internal error" });
        else res.destroy();
      });
      return;
    }
    if (m && "allowed" in m) {
      const err = new MandateError(405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
      send(res, 405, toProblem(err, url.pathname), { Allow: m.allowed.join(", ") }, "application/problem+json");
      return;
    }
    if (consoleHandler) return consoleHandler(req, res, url.pathname);
    send(res, 404, toProblem(new MandateError(404, "not_found", `no route ${url.pathname}`), url.pathname), {}, "application/problem+json");
  };
}
