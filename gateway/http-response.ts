/**
 * The strict parser of one HTTP/1.x answer used by the gateway's client for Mandate (http-json.ts):
 * Content-Length, chunked, or ended by the close of the connection; 1xx interim answers skipped.
 * Anything else (a malformed status line or header, a folded header, a Transfer-Encoding other than
 * chunked, both Content-Length and Transfer-Encoding, differing Content-Lengths, a bad chunk size, a head
 * over 64 KiB, a body over 16 MiB, bytes after the answer, a protocol switch) is a TransportError.
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly reusedSocket = false,
  ) {
    super(message);
  }
}

const MAX_HEAD = 64 * 1024;
const MAX_BODY = 16 * 1024 * 1024;
/** An HTTP token (header names). */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const CRLFCRLF = Buffer.from("\r\n\r\n");

export interface Parsed {
  status: number;
  headers: Record<string, string>;
  text: string;
  keepAlive: boolean;
}

/** Incremental parser of one HTTP/1.x answer (after any 1xx). Throws a TransportError on bad input. */
export class ResponseParser {
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
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) this.bad(`status line ${JSON.stringify(lines[0].slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      if (!TOKEN.test(name)) this.bad(`header line ${JSON.stringify(line.slice(0, 80))}`); // also obs-fold
      const value = line.slice(colon + 1).trim();
      if (/[\0\r\n]/.test(value)) this.bad(`header ${name}`);
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    return { status: Number(m[2]), minor: m[1], headers };
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
      const v = [...values][0];
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
          this.remaining = parseInt(m[1], 16);
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
