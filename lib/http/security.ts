/**
 * What the node's front door (server/main.ts) does to every request before it is routed, and the
 * same-origin rule of cookie-authenticated requests:
 *
 * - security headers on every answer, data plane and console alike (nosniff, no framing, same-origin
 *   referrers; a Content-Security-Policy that allows nothing on data-plane answers);
 * - the console's Content-Security-Policy with a fresh script nonce per request (Next.js reads the
 *   nonce from the request's own CSP header and puts it on every script it renders);
 * - a request target that is not a URL, or a path with a malformed percent-encoding, is refused (400);
 * - a state-changing request authenticated by the console's session cookie must come from the console's
 *   own origin (CSRF): SameSite=Lax does not help, since another port of the same host is the same site;
 *   on console paths, so must one that the browser marks as sent from a page (Origin, Sec-Fetch-Site).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { MandateError, toProblem } from "../errors.ts";

/** Nothing may be loaded or framed by a data-plane answer (JSON, never rendered as a document). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The headers every answer carries. Data-plane answers get them in the one writeHead of `send()` (the
 * route wrapper), console answers through securityHeaders(): four setHeader calls before Next writes
 * cost ~15 µs a request on the decision path, measured.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Content-Security-Policy": API_CSP,
});

/** Sets the headers that every answer carries; the console replaces the CSP with its own. */
export function securityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/**
 * The console's policy. Scripts: only those carrying this request's nonce, and what they load
 * ('strict-dynamic'; 'self' is the fallback of browsers without it). No 'unsafe-inline' for scripts;
 * 'unsafe-eval' only under `next dev` (React rebuilds server error stacks with eval there).
 * Styles may be inline ('unsafe-inline', no nonce in style-src, where a nonce would switch it off):
 * React `style={…}` attributes lay out the session timeline (row positions of the virtualised list),
 * the delegation graph (@xyflow/react node transforms), the charts (recharts) and the policy editor
 * (CodeMirror), and Next.js's and next-auth's own fallback pages (404, error, sign-out) render <style>
 * elements without a nonce. A style cannot run script, and injected CSS could not send anything away:
 * images, fonts and connections are limited to the console's own origin (img-src, font-src,
 * connect-src, default-src).
 */
export function consolePolicy(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Gives a console request its nonce: the policy goes on the answer, and on the request, where Next.js
 * looks for it (`getScriptNonceFromHeaders`: the request's Content-Security-Policy header) to put the
 * nonce on its own scripts; `x-nonce` is for pages that render a script themselves
 * (`(await headers()).get("x-nonce")`). A client's own values of these request headers are replaced.
 */
export function applyConsolePolicy(req: IncomingMessage, res: ServerResponse, dev = false): string {
  const nonce = randomBytes(18).toString("base64");
  const csp = consolePolicy(nonce, dev);
  req.headers["content-security-policy"] = csp;
  delete req.headers["content-security-policy-report-only"];
  req.headers["x-nonce"] = nonce;
  res.setHeader("Content-Security-Policy", csp);
  return nonce;
}

function problem(res: ServerResponse, err: MandateError, instance: string): void {
  const body = JSON.stringify(toProblem(err, instance));
  res.writeHead(err.status, {
    ...SECURITY_HEADERS,
    "Content-Type": "application/problem+json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
    "Cache-Control": "no-store",
  });
  res.end(body);
}

/**
 * The request's URL, or null when it has been refused with 400: a request target that is not a URL
 * (`//[`: parsing it threw inside the request listener, which ended the process), or a path whose
 * percent-encoding is malformed (`%` without two hex digits) or does not decode to UTF-8 (`%E0%A4%A`,
 * `%FF`), which names nothing and made the console's decoder answer 500. Refused before any route or
 * page sees it. (The query string is decoded by the WHATWG URL rules and is not checked here.)
 */
export function requestUrl(req: IncomingMessage, res: ServerResponse): URL | null {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    problem(res, new MandateError(400, "malformed_path", "the request target is not a valid URL path"), "/");
    return null;
  }
  if (!url.pathname.includes("%")) return url;
  try {
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    problem(res, new MandateError(400, "malformed_path", "the path has a malformed percent-encoding"), url.pathname);
    return null;
  }
}

/** RFC 9110 §9.2.1: GET, HEAD and OPTIONS change nothing; every other method may. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/** The console's session cookie (next-auth: `next-auth.session-token`, `__Secure-…`, chunks `.0`, `.1`…). */
const SESSION_COOKIE = /^(?:__Secure-|__Host-)?[A-Za-z0-9-]+\.session-token(?:\.\d+)?$/;

export function hasSessionCookie(req: IncomingMessage): boolean {
  const header = req.headers.cookie;
  if (!header) return false;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && SESSION_COOKIE.test(part.slice(0, i).trim())) return true;
  }
  return false;
}

/**
 * Whether the browser sent this request from the console's own origin. Browsers set both headers
 * themselves and a page cannot forge them:
 * 1. `Sec-Fetch-Site`, when present, decides: only `same-origin` passes (`same-site` is exactly a page
 *    on another port of the same host).
 * 2. Otherwise `Origin` must be the public origin (MANDATE_PUBLIC_URL, or http://HOST:PORT), or have the
 *    public URL's scheme and the host:port the request was addressed to (its Host header: how the node is
 *    reached under another name, e.g. localhost, or behind a reverse proxy that keeps Host).
 * 3. Neither header: not a same-origin browser request.
 */
export function fromSameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin";
  const origin = req.headers.origin;
  if (!origin || origin === "null") return false;
  let o: URL;
  let pub: URL;
  try {
    o = new URL(origin);
    pub = new URL(publicUrl);
  } catch {
    return false;
  }
  if (o.origin === pub.origin) return true;
  const host = req.headers.host?.toLowerCase();
  return !!host && o.protocol === pub.protocol && o.host === host;
}

export const crossOrigin = () =>
  new MandateError(
    403,
    "cross_origin",
    "a request that changes something with the console's session cookie, or from a browser page, must come from the console's own origin (Origin or Sec-Fetch-Site: same-origin)",
  );

/**
 * Console (Next.js) side of the CSRF rule: a state-changing request carrying the session cookie
 * (server actions, next-auth's sign-out, route handlers) must come from the console's origin. Without
 * the cookie, one that the browser marks as coming from another origin (Origin or Sec-Fetch-Site) is
 * refused as well: a sign-in posted from elsewhere (login CSRF), and a server action from elsewhere,
 * which Next.js answers with 500. Clients that send neither header and no session cookie (scripts
 * signing in) pass. Refused with 403 before Next.js sees the request; the data plane applies the rule
 * where the cookie authenticates (lib/http/route.ts).
 */
export function refuseCrossOriginConsole(req: IncomingMessage, res: ServerResponse, publicUrl: string, pathname: string): boolean {
  if (isSafeMethod(req.method)) return false;
  const marked = req.headers.origin !== undefined || req.headers["sec-fetch-site"] !== undefined;
  if ((!marked && !hasSessionCookie(req)) || fromSameOrigin(req, publicUrl)) return false;
  problem(res, crossOrigin(), pathname);
  return true;
}
