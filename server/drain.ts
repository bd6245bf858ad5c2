/**
 * Stopping an HTTP listener without dropping a request that reached it (docs/deploy.md, "Stopping a
 * node"). Node's `server.close()` also closes every connection it deems idle at that instant, and that
 * includes a connection just accepted whose request bytes are still on their way: the client (a load
 * balancer) has sent its request and sees the connection reset, which it must not retry for a POST.
 *
 * Here the listener stops accepting at once; every request that arrives on an open connection is still
 * answered, with `Connection: close`; a connection that has been served and stays idle for
 * `KEEP_ALIVE_GRACE_MS` is closed (a client reusing it then retries on a new connection, as HTTP/1.1
 * clients do for a closed keep-alive connection); a connection that never sent a request is closed after
 * `SILENT_GRACE_MS`. The drain ends when no connection is left.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

const KEEP_ALIVE_GRACE_MS = 1_000;
const SILENT_GRACE_MS = 5_000;
const TICK_MS = 100;

interface Conn {
  since: number;
  busy: number;
  served: number;
  idleSince: number;
}

export interface Drainable {
  /** Stops accepting, answers what reaches the open connections, resolves once they are all closed. */
  drain(): Promise<void>;
}

/** Follows a server's connections from before it listens, so that it can be drained. */
export function drainable(server: Server): Drainable {
  const conns = new Map<Socket, Conn>();
  let draining = false;
  server.on("connection", (s: Socket) => {
    const now = Date.now();
    conns.set(s, { since: now, busy: 0, served: 0, idleSince: now });
    s.once("close", () => conns.delete(s));
  });
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader("connection", "close");
    const c = conns.get(req.socket);
    if (!c) return;
    c.busy++;
    res.once("close", () => {
      c.busy--;
      c.served++;
      c.idleSince = Date.now();
    });
  });
  return {
    drain() {
      draining = true;
      return new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const now = Date.now();
          for (const [s, c] of conns) {
            if (c.busy > 0) continue;
            if (c.served > 0 ? now - c.idleSince >= KEEP_ALIVE_GRACE_MS : now - c.since >= SILENT_GRACE_MS) s.destroy();
          }
        }, TICK_MS);
        // net.Server's close: stops listening and calls back once the last connection has ended; unlike
        // http.Server's, it closes no connection itself.
        NetServer.prototype.close.call(server, () => {
          clearInterval(timer);
          resolve();
        });
      });
    },
  };
}
