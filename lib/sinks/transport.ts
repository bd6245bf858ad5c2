/**
 * Sends one encoded batch to a sink and says what the receiver answered. Acknowledged means: HTTP sinks,
 * a 2xx; syslog, every byte written and the receiver's end of the connection closed cleanly after ours
 * (RFC 5424 over TCP has no acknowledgement: a receiver that read to the end of the stream and closed
 * has taken everything). Permanent refusals (a 4xx other than 401, 403, 404, 407, 408 and 429: the
 * receiver refuses the events themselves) go towards the dead-letter list; every other failure is
 * retried with back-off.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { createHmac } from "node:crypto";
import type { Encoded, SinkKind } from "./encode.ts";

export const SEND_TIMEOUT_MS = 10_000;

export type SendResult = { ok: true; status: number | null; detail: string } | { ok: false; permanent: boolean; status: number | null; detail: string };

export interface Target {
  kind: SinkKind;
  endpoint: string;
  /** The token (HEC, OTLP: Authorization header; webhook: the HMAC key of X-Mandate-Signature). */
  secret: string | null;
  /** PEM of the CA that signed a TLS receiver's certificate (else the system's). */
  ca?: string;
}

/** OTLP/HTTP's logs path when the endpoint is a bare origin. */
function urlOf(t: Target): URL {
  const u = new URL(t.endpoint);
  if (t.kind === "otlp" && (u.pathname === "/" || u.pathname === "")) u.pathname = "/v1/logs";
  return u;
}

function authHeaders(t: Target, body: Buffer): Record<string, string> {
  if (!t.secret) return {};
  if (t.kind === "hec") return { authorization: `Splunk ${t.secret}` };
  if (t.kind === "otlp") return { authorization: `Bearer ${t.secret}` };
  return { "x-mandate-signature": `sha256=${createHmac("sha256", t.secret).update(body).digest("hex")}` };
}

/**
 * 4xx answers about the sink rather than the events (credentials, a wrong path, a proxy, time-outs, rate
 * limits): retried with back-off like a 5xx, never a reason to dead-letter an entry.
 */
const SINK_LEVEL = new Set([401, 403, 404, 407, 408, 429]);

const classify = (status: number): SendResult =>
  status >= 200 && status < 300
    ? { ok: true, status, detail: `HTTP ${status}` }
    : { ok: false, permanent: status >= 400 && status < 500 && !SINK_LEVEL.has(status), status, detail: `HTTP ${status}` };

function postHttp(t: Target, enc: Encoded): Promise<SendResult> {
  const u = urlOf(t);
  const send = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      u,
      {
        method: "POST",
        headers: { ...enc.headers, ...authHeaders(t, enc.body), "content-length": String(enc.body.length), "user-agent": "mandate-audit-sink" },
        timeout: SEND_TIMEOUT_MS,
        agent: false,
        ...(t.ca ? { ca: t.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.length < 16 && chunks.push(c));
        res.on("end", () => {
          const r = classify(res.statusCode ?? 0);
          const text = Buffer.concat(chunks).toString("utf8").slice(0, 300).trim();
          resolve({ ...r, detail: text ? `${r.detail}: ${text}` : r.detail });
        });
        res.on("error", (err) => resolve({ ok: false, permanent: false, status: res.statusCode ?? null, detail: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS / 1000} s`)));
    req.on("error", (err) => resolve({ ok: false, permanent: false, status: null, detail: err.message }));
    req.end(enc.body);
  });
}

/** `tcp://host:port` or `tls://host:port`. */
export function syslogAddress(endpoint: string): { tls: boolean; host: string; port: number } | null {
  const m = /^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+):(\d{1,5})\/?$/.exec(endpoint);
  if (!m || Number(m[3]) > 65535 || Number(m[3]) === 0) return null;
  return { tls: m[1] === "tls", host: m[2].replace(/^\[|\]$/g, ""), port: Number(m[3]) };
}

function sendSyslog(t: Target, enc: Encoded): Promise<SendResult> {
  const a = syslogAddress(t.endpoint);
  if (!a) return Promise.resolve({ ok: false, permanent: true, status: null, detail: `not a syslog address: ${t.endpoint}` });
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const sock: Socket = a.tls
      ? tlsConnect({ host: a.host, port: a.port, ...(isIP(a.host) ? {} : { servername: a.host }), ...(t.ca ? { ca: t.ca } : {}) })
      : netConnect({ host: a.host, port: a.port });
    const timer = setTimeout(
      () => done({ ok: false, permanent: false, status: null, detail: `not taken within ${SEND_TIMEOUT_MS / 1000} s` }),
      SEND_TIMEOUT_MS,
    );
    sock.once(a.tls ? "secureConnect" : "connect", () => sock.end(enc.body));
    sock.on("data", () => {});
    // The receiver closes its end after reading ours to the end: everything was read.
    sock.once("end", () => done({ ok: true, status: null, detail: `${enc.body.length} bytes taken` }));
    sock.once("error", (err) => done({ ok: false, permanent: false, status: null, detail: err.message }));
    sock.once("close", () => done({ ok: false, permanent: false, status: null, detail: "connection closed before the receiver finished reading" }));
  });
}

export function send(t: Target, enc: Encoded): Promise<SendResult> {
  return t.kind === "syslog" ? sendSyslog(t, enc) : postHttp(t, enc);
}
