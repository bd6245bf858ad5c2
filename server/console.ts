/**
 * The console (Next.js), in the one process of a node that runs it: the security headers and the
 * content security policy of every page, the same-origin rule for cookie-authenticated requests, and
 * the path asked for (where a signed-out user returns after sign-in), and
 * the client address the sign-in throttling counts by (`peer`: the TCP peer as the node's listener saw
 * it, which differs from this socket's when a data-plane worker proxied the request).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { stampClientAddress } from "../lib/auth/client-address.ts";
import { REQUEST_PATH_HEADER } from "../lib/auth/return-path.ts";
import { send } from "../lib/http/route.ts";
import { applyConsolePolicy, refuseCrossOriginConsole, securityHeaders } from "../lib/http/security.ts";
import { logger } from "../lib/telemetry/log.ts";

export interface Console {
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, peer?: string): void;
  close(): Promise<void>;
}

export async function startConsole(o: { dev: boolean; host: string; port: number; publicUrl: string; log: (m: string) => void }): Promise<Console> {
  const { default: next } = await import("next");
  const app = next({ dev: o.dev, dir: process.cwd(), hostname: o.host, port: o.port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  return {
    handle(req, res, pathname, peer) {
      securityHeaders(res);
      if (refuseCrossOriginConsole(req, res, o.publicUrl, pathname)) return;
      applyConsolePolicy(req, res, o.dev);
      stampClientAddress(req, peer); // the console's sign-in throttling counts by this address
      req.headers[REQUEST_PATH_HEADER] = req.url ?? "/"; // where sign-in returns to (lib/auth/return-path.ts)
      nextHandler(req, res).catch((err: unknown) => {
        logger.error(`console error on ${pathname}`, { component: "console", err });
        if (!res.headersSent) send(res, 500, { error: "internal error" });
      });
    },
    close: async () => {
      await (app as { close?: () => Promise<void> }).close?.();
    },
  };
}
