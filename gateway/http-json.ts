/**
 * A minimal JSON-over-HTTP client on node:http/https with keep-alive connections. The decision call sits
 * on the hot path of every tool call, so this avoids fetch's stream machinery.
 */
import http from "node:http";
import https from "node:https";

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
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

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1000 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1000 }),
};

type RequestOpts = { headers?: Record<string, string>; body?: unknown; timeoutMs: number; signal?: AbortSignal };

/**
 * One JSON request. A keep-alive socket that the server closed while it sat in the pool fails with
 * ECONNRESET before the request reached the server; such a request is retried once on a fresh socket.
 */
export async function requestJson(method: "GET" | "POST", url: URL, opts: RequestOpts): Promise<JsonResponse> {
  try {
    return await requestOnce(method, url, opts);
  } catch (e) {
    if (e instanceof TransportError && e.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) return requestOnce(method, url, opts);
    throw e;
  }
}

function requestOnce(method: "GET" | "POST", url: URL, opts: RequestOpts): Promise<JsonResponse> {
  return new Promise((resolvePromise, reject) => {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const mod = url.protocol === "https:" ? https : http;
    const headers: Record<string, string | number> = { accept: "application/json, application/problem+json", ...opts.headers };
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    let settled = false;
    const onAbort = () => {
      clearTimeout(timer);
      fail(new TransportError("request cancelled", "ABORTED"));
      req.destroy();
    };
    const fail = (e: TransportError) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener("abort", onAbort);
      reject(e);
    };
    const req = mod.request(
      url,
      { method, headers, agent: agents[url.protocol as "http:" | "https:"] ?? agents["http:"] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => fail(new TransportError(`response from ${url.origin} failed: ${e.message}`, "ERESPONSE")));
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          if (text.length > 0) {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    const timer = setTimeout(() => {
      fail(new TransportError(`no answer from ${url.origin} within ${opts.timeoutMs} ms`, "ETIMEDOUT"));
      req.destroy();
    }, opts.timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(new TransportError(`cannot reach ${url.origin}: ${e.code ?? e.message}`, e.code ?? "ECONNECTION", req.reusedSocket));
    });
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (payload) req.end(payload);
    else req.end();
  });
}
