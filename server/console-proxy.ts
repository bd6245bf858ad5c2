/**
 * How a console request that reaches a data-plane worker gets to Next.js: the worker streams it, as it
 * came (method, path, headers, body), to the node's console listener (loopback, an ephemeral port of the
 * primary process), and streams the answer back. Two headers, set here and never taken from the client,
 * tell the console the TCP peer the node's listener saw (the sign-in throttling counts by it) and prove
 * that the request came from a worker of this node (a secret made at each start): any other local
 * process is refused there (server/cluster-primary.ts).
 */
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { MandateError, toProblem } from "../lib/errors.ts";
import { send } from "../lib/http/route.ts";
import type { ConsoleHandler } from "./handler.ts";

export const PEER_HEADER = "x-mandate-peer";
export const SECRET_HEADER = "x-mandate-console-secret";

/** Hop-by-hop headers (RFC 9110 §7.6.1) are for one connection: never forwarded in either direction. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

export function forwardHeaders(h: IncomingHttpHeaders, peer: string, secret: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const named = new Set(
    String(h.connection ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(h)) if (!HOP_BY_HOP.has(k) && !named.has(k) && k !== PEER_HEADER && k !== SECRET_HEADER) out[k] = v;
  out[PEER_HEADER] = peer;
  out[SECRET_HEADER] = secret;
  return out;
}

/** The answer's raw headers (keys and values in one list, repeated headers kept) without hop-by-hop ones. */
function answerHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

export function consoleProxy(upstream: { port: number; secret: string }, log: (m: string) => void): ConsoleHandler {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const out = request(
      {
        host: "127.0.0.1",
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardHeaders(req.headers, req.socket.remoteAddress ?? "unknown", upstream.secret),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answerHeaders(answer.rawHeaders));
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    out.on("error", (err) => {
      if (res.headersSent) return void res.destroy();
      log(`console unreachable for ${pathname}: ${err.message}`);
      const e = new MandateError(502, "console_unavailable", "the console of this node is not answering; try again");
      send(res, 502, toProblem(e, pathname), { "Retry-After": "1" }, "application/problem+json");
    });
    // The client went away before the answer ended: stop the console's work on it too.
    res.on("close", () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  };
}
