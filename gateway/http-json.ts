/**
 * The gateway's HTTP/1.1 client for Mandate's data plane: JSON requests on keep-alive connections
 * (the answers are parsed by http-response.ts).
 *
 * The decision request sits on the path of every tool call, and node:http's client cost the gateway
 * 0.10–0.14 ms a call more than this one (measured end to end through the gateway, interleaved A/B;
 * undici's Pool.request was 0.08–0.12 ms better than node:http): besides its own CPU, node:http does much
 * of its work just after writing the request and just after the answer arrives, which is when Mandate
 * (or the gateway's own caller) wants the CPU. This client writes each request in one write and parses
 * the answer in place.
 *
 * It speaks only what the gateway needs, strictly: requests with a JSON body (or none) over http or
 * https; answers with Content-Length, chunked, or (HTTP/1.0 style) ended by the close of the
 * connection; 1xx interim answers are skipped. Anything else (a malformed status line or header, a
 * Transfer-Encoding other than chunked, both Content-Length and Transfer-Encoding, differing
 * Content-Lengths, a head over 64 KiB, a body over 16 MiB, bytes nobody asked for) is a TransportError
 * and the connection is dropped: the gateway fails closed on it. Connections are pooled per origin (at
 * most 256, one request at a time each, no pipelining); idle ones do not keep the process alive.
 */
import net from "node:net";
import tls from "node:tls";
import { ResponseParser, TOKEN, TransportError, type Parsed } from "./http-response.ts";

export { TransportError };

export interface JsonResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  text: string;
}

type RequestOpts = {
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra TLS options for https origins (e.g. `ca` for a private certificate authority). */
  tls?: tls.ConnectionOptions;
};

const MAX_SOCKETS = 256;
/** Idle connections are closed before a server's usual keep-alive timeout (node:http's is 5 s). */
const IDLE_MS = 4_000;

interface Exchange {
  parser: ResponseParser;
  resolve: (r: Parsed) => void;
  reject: (e: TransportError) => void;
}

/** One keep-alive connection: one exchange at a time. */
class Connection {
  readonly socket: net.Socket;
  private connected = false;
  private pendingWrite: string | null = null;
  exchanges = 0;
  closed = false;
  private current: Exchange | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  private readonly origin: string;

  constructor(
    readonly pool: Pool,
    url: URL,
    tlsOptions?: tls.ConnectionOptions,
  ) {
    this.origin = url.origin;
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const onReady = () => {
      this.connected = true;
      if (this.pendingWrite !== null) this.socket.write(this.pendingWrite);
      this.pendingWrite = null;
    };
    if (url.protocol === "https:") {
      this.socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ["http/1.1"], ...tlsOptions }, onReady);
    } else {
      this.socket = net.connect({ host, port }, onReady);
    }
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 1_000);
    this.socket.on("data", (d: Buffer) => this.onData(d));
    this.socket.on("end", () => this.onEnd());
    this.socket.on("error", (e: NodeJS.ErrnoException) => this.fail(e.code ?? "ECONNECTION", e.message));
    this.socket.on("close", () => this.fail("ECONNRESET", "connection closed"));
  }

  send(raw: string, ex: Exchange) {
    this.current = ex;
    this.exchanges++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.socket.ref();
    if (this.connected) this.socket.write(raw);
    else this.pendingWrite = raw;
  }

  /** Drops the connection; the exchange on it (if any) fails with `code`. */
  destroy(code: string, message: string) {
    this.fail(code, message);
  }

  private onData(d: Buffer) {
    const ex = this.current;
    if (!ex) return this.fail("EPROTO", "bytes nobody asked for");
    let r: Parsed | null;
    try {
      r = ex.parser.push(d);
    } catch (e) {
      return this.fail((e as TransportError).code, (e as Error).message, e as TransportError);
    }
    if (r) this.finish(ex, r);
  }

  private onEnd() {
    const ex = this.current;
    const r = ex?.parser.end();
    if (ex && r) this.finish(ex, r);
    else this.fail("ECONNRESET", "connection closed by the server");
  }

  private finish(ex: Exchange, r: Parsed) {
    this.current = null;
    if (r.keepAlive && !this.closed) {
      this.socket.unref();
      this.idleTimer = setTimeout(() => this.fail("EIDLE", "idle"), IDLE_MS);
      this.idleTimer.unref();
      this.pool.release(this);
    } else {
      this.close();
    }
    ex.resolve(r);
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.socket.destroy();
    this.pool.remove(this);
  }

  private fail(code: string, message: string, err?: TransportError) {
    const ex = this.current;
    this.current = null;
    this.close();
    if (!ex) return;
    if (err) return ex.reject(err);
    if (code === "ETIMEDOUT" || code === "ABORTED") return ex.reject(new TransportError(message, code));
    // A reused connection that the server closed before answering anything: the request never reached
    // it (a keep-alive race), so the caller may send it again on a fresh connection.
    const reused = this.exchanges > 1 && !ex.parser.received && (code === "ECONNRESET" || code === "EPIPE");
    ex.reject(new TransportError(`cannot reach ${this.origin}: ${code}`, code, reused));
  }
}

/** The connections to one origin. */
class Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Array<(c: Connection) => void> = [];

  constructor(
    private readonly url: URL,
    private readonly tlsOptions?: tls.ConnectionOptions,
  ) {}

  /** A free connection (an idle one, a new one, or the next one freed within `timeoutMs`). */
  acquire(timeoutMs: number): Promise<Connection> {
    while (this.idle.length) {
      const c = this.idle.pop()!;
      if (!c.closed) return Promise.resolve(c);
    }
    if (this.all.size < MAX_SOCKETS) {
      const c = new Connection(this, this.url, this.tlsOptions);
      this.all.add(c);
      return Promise.resolve(c);
    }
    return new Promise((resolve, reject) => {
      const waiter = (c: Connection) => {
        clearTimeout(timer);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new TransportError(`no answer from ${this.url.origin} within ${timeoutMs} ms (all ${MAX_SOCKETS} connections busy)`, "ETIMEDOUT"));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }

  release(c: Connection) {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  remove(c: Connection) {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next) {
      const fresh = new Connection(this, this.url, this.tlsOptions);
      this.all.add(fresh);
      next(fresh);
    }
  }
}

const pools = new Map<string, Pool>();
const tlsIds = new WeakMap<tls.ConnectionOptions, number>();
let nextTlsId = 0;

function poolFor(url: URL, tlsOptions?: tls.ConnectionOptions): Pool {
  let key = url.origin;
  if (tlsOptions) {
    if (!tlsIds.has(tlsOptions)) tlsIds.set(tlsOptions, ++nextTlsId);
    key += `\0${tlsIds.get(tlsOptions)}`;
  }
  let p = pools.get(key);
  if (!p) pools.set(key, (p = new Pool(url, tlsOptions)));
  return p;
}

/**
 * One JSON request. A keep-alive connection that the server closed while it sat in the pool fails
 * before the request reached the server; such a request is sent once more on a fresh connection.
 */
export async function requestJson(method: "GET" | "POST", url: URL, opts: RequestOpts): Promise<JsonResponse> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TransportError(`unsupported URL ${url.origin}`, "EPROTO");
  const raw = serialise(method, url, opts);
  try {
    return await requestOnce(url, raw, opts);
  } catch (e) {
    if (e instanceof TransportError && e.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) return requestOnce(url, raw, opts);
    throw e;
  }
}

function serialise(method: string, url: URL, opts: RequestOpts): string {
  const body = opts.body === undefined ? "" : JSON.stringify(opts.body);
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\naccept: application/json, application/problem+json\r\n`;
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    if (!TOKEN.test(name) || /[\0\r\n]/.test(value)) throw new TransportError(`invalid request header ${JSON.stringify(name)}`, "EINVAL");
    head += `${name}: ${value}\r\n`;
  }
  if (opts.body !== undefined) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body}`;
}

async function requestOnce(url: URL, raw: string, opts: RequestOpts): Promise<JsonResponse> {
  if (opts.signal?.aborted) throw new TransportError("request cancelled", "ABORTED");
  const pool = poolFor(url, opts.tls);
  const conn = await pool.acquire(opts.timeoutMs);
  if (opts.signal?.aborted) {
    pool.release(conn);
    throw new TransportError("request cancelled", "ABORTED");
  }
  const parsed = await new Promise<Parsed>((resolve, reject) => {
    const onAbort = () => conn.destroy("ABORTED", "request cancelled");
    const timer = setTimeout(() => conn.destroy("ETIMEDOUT", `no answer from ${url.origin} within ${opts.timeoutMs} ms`), opts.timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    conn.send(raw, {
      parser: new ResponseParser(url.origin),
      resolve: (r) => {
        settle();
        resolve(r);
      },
      reject: (e) => {
        settle();
        reject(e);
      },
    });
  });
  let body: unknown;
  if (parsed.text.length > 0) {
    try {
      body = JSON.parse(parsed.text);
    } catch {
      body = undefined;
    }
  }
  return { status: parsed.status, headers: parsed.headers, body, text: parsed.text };
}
