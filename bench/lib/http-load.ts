/**
 * A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its next request as
 * soon as the previous answer is complete, until `amount` requests have been sent. Every request's
 * latency is kept (exact percentiles), and answers are parsed strictly (Content-Length or chunked).
 *
 * Why not autocannon: on this machine autocannon's throughput comes out in coarse steps. Against a
 * node:http server that answers after a fixed 7, 8, 9, 10 or 11 ms it reports the same 3,984/s for
 * all five (ideal 50 connections / delay: 7,143 … 4,545/s; this generator measures 6,277 … 4,239/s),
 * so two targets whose latencies differ by several milliseconds can tie. See docs/benchmarks.md.
 */
import net from "node:net";

export interface HttpLoadOptions {
  url: string;
  connections: number;
  amount: number;
  headers?: Record<string, string>;
  /** The next request's body, or body and Authorization header. */
  next: () => string | { body: string; authorization: string };
  /** An answer slower than this counts as an error and its connection is replaced. */
  timeoutMs?: number;
}

export interface HttpLoadResult {
  /** Requests answered (any status). */
  answered: number;
  ok: number;
  non2xx: number;
  /** The non-2xx answers by status. */
  statuses: Record<number, number>;
  /** Requests without an answer (connection failed or timed out). */
  errors: number;
  /** Latency of every answered request, in ms, sorted. */
  latencies: Float64Array;
  seconds: number;
}

const CRLF2 = Buffer.from("\r\n\r\n");

/** One HTTP/1.1 answer read off a byte stream: null until complete, then its status and length. */
export function parseResponse(buf: Buffer): { status: number; length: number; close: boolean } | null {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) return null;
  const head = buf.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  if (!head.startsWith("HTTP/1.") || !Number.isInteger(status)) throw new Error(`not an HTTP/1.x answer: ${JSON.stringify(head.slice(0, 40))}`);
  let contentLength = -1;
  let chunked = false;
  let close = head.startsWith("HTTP/1.0");
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === "content-length") contentLength = Number(value);
    else if (name === "transfer-encoding")
      chunked = value
        .split(",")
        .map((s) => s.trim())
        .includes("chunked");
    else if (name === "connection")
      close = value
        .split(",")
        .map((s) => s.trim())
        .includes("close");
  }
  let pos = headEnd + 4;
  if (chunked) {
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", pos);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.toString("latin1", pos, lineEnd).split(";")[0], 16);
      if (!Number.isFinite(size)) throw new Error("malformed chunk size");
      pos = lineEnd + 2;
      if (size === 0) {
        // trailers, then an empty line
        const end = buf.indexOf("\r\n", pos);
        if (end < 0) return null;
        if (end === pos) return { status, length: pos + 2, close };
        const trailersEnd = buf.indexOf(CRLF2, pos);
        return trailersEnd < 0 ? null : { status, length: trailersEnd + 4, close };
      }
      if (buf.length < pos + size + 2) return null;
      pos += size + 2;
    }
  }
  // No length and not chunked: only answers without a body are supported (204, 304, 1xx).
  const length = contentLength >= 0 ? contentLength : 0;
  if (buf.length < pos + length) return null;
  return { status, length: pos + length, close };
}

export async function httpLoad(opts: HttpLoadOptions): Promise<HttpLoadResult> {
  const u = new URL(opts.url);
  const port = Number(u.port || 80);
  const host = u.hostname;
  const fixed = Object.entries({ "content-type": "application/json", ...opts.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const prefix = `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n${fixed}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  const statuses: Record<number, number> = {};
  let errors = 0;
  const started = performance.now();

  const runConnection = () =>
    new Promise<void>((resolve) => {
      let socket: net.Socket;
      let buf: Buffer = Buffer.alloc(0);
      let t0 = 0;
      let waiting = false;
      let timer: NodeJS.Timeout | undefined;

      const fire = () => {
        if (sent >= opts.amount) {
          socket.end();
          resolve();
          return;
        }
        sent++;
        const n = opts.next();
        const body = typeof n === "string" ? n : n.body;
        const auth = typeof n === "string" ? "" : `authorization: ${n.authorization}\r\n`;
        waiting = true;
        t0 = performance.now();
        socket.write(`${prefix}${auth}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        timer = setTimeout(() => fail(new Error("timed out")), timeoutMs);
      };
      const fail = (_err: Error) => {
        clearTimeout(timer);
        if (waiting) errors++;
        waiting = false;
        socket.destroy();
        connect();
      };
      const onData = (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          let r: ReturnType<typeof parseResponse>;
          try {
            r = parseResponse(buf);
          } catch (e) {
            fail(e as Error);
            return;
          }
          if (!r) return;
          clearTimeout(timer);
          latencies.push(performance.now() - t0);
          waiting = false;
          if (r.status >= 200 && r.status < 300) ok++;
          else {
            non2xx++;
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          }
          buf = buf.subarray(r.length);
          if (r.close) {
            socket.destroy();
            connect();
          } else fire();
          return;
        }
      };
      const connect = () => {
        buf = Buffer.alloc(0);
        const s = net.connect(port, host);
        socket = s;
        s.setNoDelay(true);
        // Events of a replaced socket are ignored.
        s.on("connect", () => s === socket && fire());
        s.on("data", (d: Buffer) => s === socket && onData(d));
        s.on("error", (e) => s === socket && fail(e));
        s.on("close", () => {
          if (s === socket && waiting) fail(new Error("connection closed"));
        });
      };
      connect();
    });

  await Promise.all(Array.from({ length: opts.connections }, runConnection));
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return { answered: ok + non2xx, ok, non2xx, statuses, errors, latencies: sorted, seconds };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
