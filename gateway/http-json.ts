/**
 * The gateway's HTTP/1.1 client for Mandate's data plane: JSON requests on keep-alive connections.
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

export interface JsonResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  text: string;
}

export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly reusedSocket = false,
  ) {
    super(message);
  }
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
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 16 * 1024 * 1024;
/** Idle connections are closed before a server's usual keep-alive timeout (node:http's is 5 s). */
const IDLE_MS = 4_000;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const CRLFCRLF = Buffer.from("\r\n\r\n");

interface Parsed {
  status: number;
  headers: Record<string, string>;
  text: string;
  keepAlive: boolean;
}

/** Incremental parser of one HTTP/1.x answer (after any 1xx). Throws a TransportError on bad input. */
class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private head: { status: number; minor: string; headers: Record<string, string> } | null = null;
  private mode: "length" | "chunked" | "close" = "length";
  private remaining = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  private chunkState: "size" | "data" | "crlf" | "trailers" = "size";
  received = false;

  constructor(private readonly origin: string) {}

  private bad(what: string): never {
    throw new TransportError(`invalid HTTP answer from ${this.origin}: ${what}`, "EPROTO");
  }

  /** Feeds bytes; returns the answer once complete (any bytes after it are an error). */
  push(data: Buffer): Parsed | null {
    this.received = true;
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (!this.head) {
      const end = this.buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.buf.length > MAX_HEAD) this.bad("head too large");
        return null;
      }
      if (end > MAX_HEAD) this.bad("head too large");
      const head = this.parseHead(this.buf.toString("latin1", 0, end));
      this.buf = this.buf.subarray(end + 4);
      if (head.status >= 100 && head.status < 200) {
        if (head.status === 101) this.bad("unexpected protocol switch");
        continue; // interim answer (100 Continue, 103 Early Hints): the real one follows
      }
      this.head = head;
      this.startBody();
    }
    return this.readBody();
  }

  /** The connection ended: completes an answer whose body runs until the close. */
  end(): Parsed | null {
    if (this.head && this.mode === "close") return this.done(false);
    return null;
  }

  private parseHead(text: string) {
    const lines = text.split("\r\n");
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) this.bad(`status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      if (!TOKEN.test(name)) this.bad(`header line ${JSON.stringify(line.slice(0, 80))}`); // also obs-fold
      const value = line.slice(colon + 1).trim();
      if (/[\0\r\n]/.test(value)) this.bad(`header ${name}`);
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    return { status: Number(m[2]), minor: m[1]!, headers };
  }

  private startBody() {
    const { status, headers } = this.head!;
    const te = headers["transfer-encoding"];
    const cl = headers["content-length"];
    if (te !== undefined) {
      if (cl !== undefined) this.bad("both Transfer-Encoding and Content-Length");
      if (te.toLowerCase() !== "chunked") this.bad(`Transfer-Encoding ${te}`);
      this.mode = "chunked";
    } else if (cl !== undefined) {
      const values = new Set(cl.split(",").map((v) => v.trim()));
      const v = [...values][0]!;
      if (values.size !== 1 || !/^\d{1,10}$/.test(v)) this.bad(`Content-Length ${cl}`);
      this.mode = "length";
      this.remaining = Number(v);
      if (this.remaining > MAX_BODY) this.bad("body too large");
    } else if (status === 204 || status === 304) {
      this.mode = "length";
      this.remaining = 0;
    } else {
      this.mode = "close";
    }
  }

  private take(n: number) {
    this.chunks.push(this.buf.subarray(0, n));
    this.size += n;
    if (this.size > MAX_BODY) this.bad("body too large");
    this.buf = this.buf.subarray(n);
  }

  private readBody(): Parsed | null {
    if (this.mode === "close") {
      if (this.buf.length) this.take(this.buf.length);
      return null;
    }
    if (this.mode === "length") {
      const n = Math.min(this.remaining, this.buf.length);
      if (n) this.take(n);
      this.remaining -= n;
      return this.remaining === 0 ? this.done(true) : null;
    }
    for (;;) {
      if (this.chunkState === "size" || this.chunkState === "crlf" || this.chunkState === "trailers") {
        const eol = this.buf.indexOf("\r\n");
        if (eol < 0) {
          if (this.buf.length > 4096) this.bad("chunk framing");
          return null;
        }
        const line = this.buf.toString("latin1", 0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (this.chunkState === "crlf") {
          if (line !== "") this.bad("chunk framing");
          this.chunkState = "size";
        } else if (this.chunkState === "trailers") {
          if (line === "") return this.done(true);
        } else {
          const m = /^([0-9a-fA-F]{1,8})(?:[ \t]*;[^\r\n]*)?$/.exec(line);
          if (!m) this.bad("chunk size");
          this.remaining = parseInt(m[1]!, 16);
          this.chunkState = this.remaining === 0 ? "trailers" : "data";
        }
      } else {
        const n = Math.min(this.remaining, this.buf.length);
        if (n) this.take(n);
        this.remaining -= n;
        if (this.remaining > 0) return null;
        this.chunkState = "crlf";
      }
    }
  }

  private done(reusable: boolean): Parsed {
    const { status, minor, headers } = this.head!;
    if (reusable && this.buf.length) this.bad("bytes after the answer");
    const conn = (headers.connection ?? "").toLowerCase();
    const keepAlive = reusable && (minor === "1" ? !/\bclose\b/.test(conn) : /\bkeep-alive\b/.test(conn));
    const text = Buffer.concat(this.chunks, this.size).toString("utf8");
    return { status, headers, text, keepAlive };
  }
}

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
