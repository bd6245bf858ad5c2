/**
 * The server side of MCP's Streamable HTTP transport, on node:http, for the gateway's HTTP mode.
 *
 * It behaves like the SDK's StreamableHTTPServerTransport (the same checks, status codes and JSON-RPC
 * errors) without converting every request and answer into WHATWG Request, Response and ReadableStream
 * objects, which cost the gateway ~0.2 ms a call. One difference, which the specification allows (the
 * server answers a POST carrying requests with either `application/json` or `text/event-stream`): an
 * answer that is ready before anything else was sent for its request goes back as one JSON body. The
 * POST becomes an SSE stream as soon as the server sends a notification or request related to it (a
 * progress notification while an approval is pending, a sampling request), or when no answer came
 * within `sseAfterMs`; an SSE stream then carries a keep-alive comment every `keepAliveMs`, so a long
 * call does not run into the client's timeouts. Resumability (an event store) is not supported.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

export interface NodeStreamableHttpOptions {
  sessionIdGenerator: () => string;
  onsessioninitialized?: (sessionId: string) => void;
  /** Largest request body read, in bytes (413 above it). */
  maxBodyBytes?: number;
  /** A POST still without an answer after this long is turned into an SSE stream. */
  sseAfterMs?: number;
  keepAliveMs?: number;
}

const MAX_BATCH = 100;
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** One POST that carried requests: answered as JSON, or as SSE once something else is sent first. */
interface PostStream {
  res: ServerResponse;
  ids: RequestId[];
  batch: boolean;
  sse: boolean;
  timer?: NodeJS.Timeout;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class NodeStreamableHttpTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private initialized = false;
  private closed = false;
  private nextStream = 0;
  private readonly streams = new Map<number, PostStream>();
  private readonly requestStream = new Map<RequestId, number>();
  private readonly responses = new Map<RequestId, JSONRPCMessage>();
  private standalone: { res: ServerResponse; timer?: NodeJS.Timeout } | null = null;
  private readonly sseAfterMs: number;
  private readonly keepAliveMs: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: NodeStreamableHttpOptions) {
    this.sseAfterMs = options.sseAfterMs ?? 1_000;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  }

  async start(): Promise<void> {}

  /** Handles one HTTP request of this session; `parsedBody` when the caller has read a POST's body already. */
  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    try {
      if (this.closed) throw new HttpError(404, -32001, "Session not found");
      if (req.method === "POST") return await this.handlePost(req, res, parsedBody);
      if (req.method === "GET") return this.handleGet(req, res);
      if (req.method === "DELETE") {
        this.validateSession(req);
        res.writeHead(200).end();
        return await this.close();
      }
      throw new HttpError(405, -32000, "Method not allowed.", { allow: "GET, POST, DELETE" });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      this.onerror?.(e);
      if (res.headersSent) return void res.end();
      res.writeHead(e.status, { "content-type": "application/json", ...e.headers });
      res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: e.code, message: e.message }, id: null }));
    }
  }

  private async handlePost(req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<void> {
    const accept = req.headers.accept ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream"))
      throw new HttpError(406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    if (!isJsonContentType(req.headers["content-type"])) throw new HttpError(415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    const raw = parsedBody !== undefined ? parsedBody : await this.readJson(req);
    if (Array.isArray(raw) && raw.length > MAX_BATCH) throw new HttpError(400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`);
    const messages: JSONRPCMessage[] = [];
    for (const m of Array.isArray(raw) ? raw : [raw]) {
      const parsed = JSONRPCMessageSchema.safeParse(m);
      if (!parsed.success) throw new HttpError(400, -32700, "Parse error: Invalid JSON-RPC message");
      messages.push(parsed.data);
    }
    if (messages.some(isInitializeRequest)) {
      if (this.initialized) throw new HttpError(400, -32600, "Invalid Request: Server already initialized");
      if (messages.length > 1) throw new HttpError(400, -32600, "Invalid Request: Only one initialization request is allowed");
      this.sessionId = this.options.sessionIdGenerator();
      this.initialized = true;
      this.options.onsessioninitialized?.(this.sessionId);
    } else {
      this.validateSession(req);
    }
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers, url: new URL(req.url ?? "/", "http://gateway") } };
    const requests = messages.filter(isJSONRPCRequest);
    if (!requests.length) {
      res.writeHead(202).end();
      for (const m of messages) this.onmessage?.(m, extra);
      return;
    }
    const id = this.nextStream++;
    const stream: PostStream = { res, ids: requests.map((r) => r.id), batch: Array.isArray(raw), sse: false };
    this.streams.set(id, stream);
    for (const r of requests) this.requestStream.set(r.id, id);
    stream.timer = setTimeout(() => this.startSse(stream), this.sseAfterMs);
    stream.timer.unref();
    res.on("close", () => {
      // The client went away (or the answer is complete): later messages for it have nowhere to go.
      clearTimeout(stream.timer);
      if (this.streams.get(id) === stream) this.streams.delete(id);
    });
    for (const m of messages) this.onmessage?.(m, extra);
  }

  private handleGet(req: IncomingMessage, res: ServerResponse) {
    if (!(req.headers.accept ?? "").includes("text/event-stream")) throw new HttpError(406, -32000, "Not Acceptable: Client must accept text/event-stream");
    this.validateSession(req);
    if (this.standalone) throw new HttpError(409, -32000, "Conflict: Only one SSE stream is allowed per session");
    res.writeHead(200, { ...SSE_HEADERS, "mcp-session-id": this.sessionId! });
    res.flushHeaders();
    const s = { res, timer: this.keepAlive(res) };
    this.standalone = s;
    res.on("close", () => {
      clearInterval(s.timer);
      if (this.standalone === s) this.standalone = null;
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    const requestId = isResponse ? (message as { id: RequestId }).id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse) throw new Error("Cannot send a response on a standalone SSE stream unless resuming a previous client request");
      if (this.standalone) this.standalone.res.write(sseEvent(message));
      return; // no standalone stream open: the client does not listen for server-initiated messages
    }
    const streamId = this.requestStream.get(requestId);
    if (streamId === undefined) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    const stream = this.streams.get(streamId);
    if (!stream) {
      // Its client went away before the answer: nothing to write to.
      if (isResponse) this.forget([requestId]);
      if (!this.closed) throw new Error(`No connection established for request ID: ${String(requestId)}`);
      return;
    }
    if (isResponse) this.responses.set(requestId, message);
    const complete = isResponse && stream.ids.every((id) => this.responses.has(id));
    if (!stream.sse) {
      if (isResponse && !complete) return; // a batch's answer: kept until the last one, or until SSE starts
      if (complete) {
        clearTimeout(stream.timer);
        const answers = stream.ids.map((id) => this.responses.get(id));
        const body = JSON.stringify(stream.batch ? answers : answers[0]);
        // With its length (writeHead fixes the headers before the body, which would otherwise go chunked).
        stream.res.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "mcp-session-id": this.sessionId!,
        });
        stream.res.end(body);
      } else {
        this.startSse(stream);
        stream.res.write(sseEvent(message));
      }
    } else {
      stream.res.write(sseEvent(message));
      if (complete) stream.res.end();
    }
    if (complete) {
      this.streams.delete(streamId);
      this.forget(stream.ids);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      clearTimeout(s.timer);
      if (!s.sse && !s.res.headersSent) s.res.writeHead(200, SSE_HEADERS);
      s.res.end();
    }
    this.streams.clear();
    this.requestStream.clear();
    this.responses.clear();
    this.standalone?.res.end();
    this.onclose?.();
  }

  private startSse(stream: PostStream) {
    if (stream.sse || stream.res.writableEnded) return;
    clearTimeout(stream.timer);
    stream.sse = true;
    stream.res.writeHead(200, { ...SSE_HEADERS, "mcp-session-id": this.sessionId! });
    stream.res.flushHeaders();
    // Answers of a batch that came before the switch go first.
    for (const id of stream.ids) {
      const answer = this.responses.get(id);
      if (answer) stream.res.write(sseEvent(answer));
    }
    stream.timer = this.keepAlive(stream.res);
  }

  private keepAlive(res: ServerResponse): NodeJS.Timeout {
    const t = setInterval(() => res.write(": keepalive\n\n"), this.keepAliveMs);
    t.unref();
    return t;
  }

  private forget(ids: RequestId[]) {
    for (const id of ids) {
      this.responses.delete(id);
      this.requestStream.delete(id);
    }
  }

  private validateSession(req: IncomingMessage) {
    if (!this.initialized) throw new HttpError(400, -32000, "Bad Request: Server not initialized");
    const sid = req.headers["mcp-session-id"];
    if (!sid) throw new HttpError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (sid !== this.sessionId) throw new HttpError(404, -32001, "Session not found");
    const version = req.headers["mcp-protocol-version"];
    if (typeof version === "string" && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
      throw new HttpError(400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
  }

  private readJson(req: IncomingMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > this.maxBodyBytes) {
          reject(new HttpError(413, -32000, `Payload Too Large: the request body exceeds ${this.maxBodyBytes} bytes`, { connection: "close" }));
          req.removeAllListeners("data");
          req.resume();
        } else chunks.push(c);
      });
      req.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          reject(new HttpError(400, -32700, "Parse error: Invalid JSON"));
        }
      });
      req.on("error", reject);
    });
  }
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}
