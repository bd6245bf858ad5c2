/**
 * The one wrapper of every data-plane endpoint: body limit, content type, JSON/form parsing, zod
 * validation, authentication (agent key / personal API token / console session / AuthZEN PEP key), role
 * checks, and the mapping of every failure to RFC 9457 problem+json (or a protocol's own format). Handlers receive parsed, typed input and return
 * a value; they never see a raw request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AgentPrincipal, Principal, Role, UserPrincipal } from "../identity/credential-cache.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { authenticatePep, type PepRequest } from "../authzen/pep-auth.ts";
import { findInexactBody } from "../util/exact-json.ts";
import { fromZod, MandateError, toProblem, unauthorized, forbidden, unexpectedError } from "../errors.ts";
import { presentedCredential } from "./bearer.ts";
import { checkSenderConstraint } from "./dpop-auth.ts";
import { crossOrigin, fromSameOrigin, isSafeMethod, SECURITY_HEADERS } from "./security.ts";
import { logger } from "../telemetry/log.ts";
import { endWithError, SPAN_KIND, setSpanError, startRecordingSpan, startSpan, traceLogFields, TRACING, type Span } from "../telemetry/tracing.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `agent`: an agent API key. `user`: a personal API token or the console session. `any`: either.
 * `pep`: an AuthZEN PEP key (401 in the AuthZEN realm otherwise); on a path with `:store`, the key must
 * be bound to that store (403).
 */
export type AuthMode = "none" | "agent" | "user" | "any" | "pep";

export interface RouteContext<B, Q> {
  rt: Runtime;
  req: IncomingMessage;
  params: Record<string, string>;
  query: Q;
  body: B;
  principal: Principal | null;
  agent: AgentPrincipal | null;
  user: UserPrincipal | null;
  /** The PEP and its policy store (auth "pep"). */
  pep: PepRequest | null;
  requestId: string;
  /** The request's recording span (traces on and this request sampled), for the stages' spans (lib/decisions/decide.ts). */
  span?: Span;
}

const REPLY = Symbol.for("mandate.reply");

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Stream instead of JSON (exports). */
  stream?: (res: ServerResponse) => Promise<void>;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  auth: AuthMode;
  /** Roles allowed for user principals (default: any role). Agents are never allowed on user routes. */
  roles?: Role[];
  body?: z.ZodType<B>;
  /**
   * Members of the JSON body that are tool arguments: besides the rules every body gets, they must
   * pass the argument rules of lib/util/exact-json.ts (what is decided is what runs).
   */
  argumentFields?: readonly string[];
  query?: z.ZodType<Q>;
  contentType?: "json" | "form";
  /** The largest body this route reads (default MAX_BODY_BYTES); a larger one is a 413. */
  maxBodyBytes?: number;
  /** Describes the route in the OpenAPI document. */
  summary: string;
  tag: string;
  response?: z.ZodType;
  /** Custom authentication failure (AuthZEN, OAuth token endpoint). */
  authRealm?: string;
  /**
   * Returns a RouteResult, or the body itself. Written as a method so that a RouteDef<B, Q> is a
   * RouteDef<unknown, unknown> (the router's list): the wrapper only calls it with what `body` and
   * `query` parsed, so B and Q always match.
   */
  handler(ctx: RouteContext<B, Q>): Promise<unknown>;
  /** Render errors in a protocol's own format instead of problem+json. */
  errorFormat?: (err: MandateError) => { status: number; body: unknown; headers?: Record<string, string> };
}

/** `user:<email>`: the actor an admin change records in the audit log. */
export const actorOf = (u: UserPrincipal | null) => `user:${u?.email ?? "unknown"}`;

/** A handler returns its body, or reply({...}) to set the status, headers or a stream. */
export function reply(r: RouteResult): RouteResult {
  return Object.assign(r, { [REPLY]: true });
}

export function defineRoute<B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef<B, Q> {
  return def;
}

/**
 * An over-limit body is still read (and discarded) to its end before the 413 goes out, up to
 * DRAIN_LIMIT bytes in all or DRAIN_MS: a client that is still sending when the server answers and
 * closes gets a reset on its next write and may never see the answer (HTTP's "lingering close").
 * Beyond those bounds the answer goes out at once and the connection is closed.
 */
const DRAIN_LIMIT = 16 * 1024 * 1024;
const DRAIN_MS = 5_000;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > DRAIN_LIMIT) return Promise.reject(tooLarge(limit));
  // Plain stream events, not `for await`: async iteration costs several promise turns per request on
  // the decision path. The handlers are methods of one object literal, not named arrow functions: tsx
  // (esbuild's keepNames) gives every named closure its name with Object.defineProperty each time it is
  // made, ~0.3 µs apiece, on every request (docs/benchmarks.md, issue 18).
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let draining = false;
    let timer: NodeJS.Timeout | undefined;
    // `this: void`: the methods never use `this` (they are handed to req.on as plain functions).
    const h = {
      done(this: void) {
        clearTimeout(timer);
        req.off("data", h.onData);
        req.off("end", h.onEnd);
        req.off("error", h.onError);
        req.off("close", h.onClose);
      },
      refuse(this: void) {
        h.done();
        // The rest of the body is not read: the answer closes the connection, so nothing waits for it.
        req.pause();
        reject(tooLarge(limit));
      },
      startDraining(this: void) {
        draining = true;
        chunks.length = 0;
        timer = setTimeout(h.refuse, DRAIN_MS);
      },
      onData(this: void, chunk: Buffer) {
        size += chunk.length;
        if (draining) {
          if (size > DRAIN_LIMIT) h.refuse();
          return;
        }
        if (size > limit) {
          h.startDraining();
          return;
        }
        chunks.push(chunk);
      },
      onEnd(this: void) {
        h.done();
        if (draining) reject(tooLarge(limit));
        else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      },
      onError(this: void, err: Error) {
        h.done();
        reject(err);
      },
      onClose(this: void) {
        h.done();
        reject(new Error("the client closed the request before its body was complete"));
      },
    };
    if (declared > limit) h.startDraining();
    req.on("data", h.onData);
    req.on("end", h.onEnd);
    req.on("error", h.onError);
    req.on("close", h.onClose);
  });
}

function tooLarge(limit: number): MandateError {
  return new MandateError(413, "body_too_large", `request body over ${limit} bytes`, undefined, { Connection: "close" });
}

/** Reads a signed-in console user from a request's cookies (`rt.consoleSessions`; the console's, server/console-session.ts). */
export type SessionResolver = (req: IncomingMessage) => Promise<UserPrincipal | null>;

async function authenticate(rt: Runtime, req: IncomingMessage, mode: AuthMode, realm: string): Promise<Principal | null> {
  if (mode === "none") return null;
  const presented = presentedCredential(req);
  const token = presented?.token ?? null;
  if (token === null && mode !== "agent" && rt.consoleSessions) {
    const user = await rt.consoleSessions(req);
    if (user) {
      // CSRF: the browser sends the cookie with any page's request; a change must come from the console.
      if (!isSafeMethod(req.method) && !fromSameOrigin(req, rt.config.publicUrl)) throw crossOrigin();
      return user;
    }
  }
  if (token === null) throw unauthorized("missing bearer token", realm);
  const result = await rt.credentials.authenticate(token, req);
  if (!result.ok) {
    const why: Record<string, string> = {
      missing: "missing bearer token",
      malformed: "malformed credential",
      unknown: "unknown credential",
      revoked: "credential revoked",
      expired: "credential expired",
      disabled: "user disabled",
    };
    throw unauthorized(why[result.failure] ?? "invalid credential", realm);
  }
  const p = result.principal;
  // DPoP (RFC 9449): a bound token needs a proof of its key for this request; the DPoP scheme, a bound token.
  await checkSenderConstraint(rt, req, p, presented!);
  if (mode === "agent" && p.kind !== "agent") throw forbidden("this endpoint is for agents (use an agent API key)");
  if (mode === "user" && p.kind !== "user") throw forbidden("this endpoint is for users (use a personal API token)");
  return p;
}

function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (k in out) throw new MandateError(400, "invalid_request", `parameter ${k} given more than once`);
    out[k] = v;
  }
  return out;
}

export function runRoute(
  rt: Runtime,
  def: RouteDef<unknown, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  url: URL,
): Promise<void> {
  return TRACING ? tracedRoute(rt, def, req, res, params, url) : handleRoute(rt, def, req, res, params, url);
}

/**
 * With traces on (lib/telemetry/tracing.ts): the request's server span (HTTP semantic conventions; its
 * parent is the W3C `traceparent` header when one came). Sampling is decided once, here: a request the
 * sampler does not record runs handleRoute exactly as with traces off; a recorded one hands its span
 * down explicitly (RouteContext.span, Caller.span), so the decision pipeline's stages are its children
 * (lib/decisions/decide.ts). No AsyncLocalStorage context is used on the node (see startRecordingSpan).
 */
async function tracedRoute(
  rt: Runtime,
  def: RouteDef<unknown, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  url: URL,
): Promise<void> {
  const span = startRecordingSpan(`${def.method} ${def.path}`, SPAN_KIND.server, req.headers, () => ({
    "http.request.method": def.method,
    "http.route": def.path,
    "url.path": url.pathname,
    "url.scheme": url.protocol.slice(0, -1),
  }));
  if (!span) return handleRoute(rt, def, req, res, params, url);
  try {
    await handleRoute(rt, def, req, res, params, url, span);
  } finally {
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) setSpanError(span, String(res.statusCode));
    span.end();
  }
}

/** Authentication (the agent key, the user's token or session, or the PEP key) as the `mandate.authenticate` span (a sampled request). */
async function tracedAuthentication(
  rt: Runtime,
  def: RouteDef<unknown, unknown>,
  req: IncomingMessage,
  requestId: string,
  params: Record<string, string>,
  parent: Span,
) {
  const span = def.auth !== "none" ? startSpan("mandate.authenticate", SPAN_KIND.internal, undefined, parent) : undefined;
  try {
    const pep = def.auth === "pep" ? await authenticatePep(rt, req, requestId, params.store ?? null) : null;
    const p = pep ? null : await authenticate(rt, req, def.auth, def.authRealm ?? "mandate");
    if (span && p) span.setAttribute("mandate.principal", p.kind === "agent" ? `agent:${p.name}` : `user:${p.role}`);
    span?.end();
    return { pep, principal: p };
  } catch (err) {
    endWithError(span, err, err instanceof MandateError ? err.code : undefined);
    throw err;
  }
}

async function handleRoute(
  rt: Runtime,
  def: RouteDef<unknown, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  url: URL,
  span?: Span,
): Promise<void> {
  const requestId = (req.headers["x-request-id"] as string | undefined)?.slice(0, 200) || randomUUID();
  // Caches the change feed cannot vouch for are dropped first (bounded staleness: docs/guarantees.md).
  rt.changes.ensureCurrent();
  try {
    let pep: PepRequest | null, principal: Principal | null;
    if (span) {
      ({ pep, principal } = await tracedAuthentication(rt, def, req, requestId, params, span));
      if (pep) pep.caller.span = span;
    } else {
      pep = def.auth === "pep" ? await authenticatePep(rt, req, requestId, params.store ?? null) : null;
      principal = pep ? null : await authenticate(rt, req, def.auth, def.authRealm ?? "mandate");
    }
    if (principal?.kind === "user" && def.roles && !def.roles.includes(principal.role)) {
      throw forbidden(`role ${principal.role} may not ${def.summary.toLowerCase()} (requires ${def.roles.join(" or ")})`);
    }
    let body: unknown = undefined;
    if (def.body) {
      const ct = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      const want = def.contentType === "form" ? "application/x-www-form-urlencoded" : "application/json";
      if (ct !== want) throw new MandateError(415, "unsupported_media_type", `Content-Type must be ${want}`);
      const raw = await readBody(req, def.maxBodyBytes);
      // Decoding would replace invalid bytes with U+FFFD: what is decided would not be what was sent.
      if (!isUtf8(raw)) throw new MandateError(400, "invalid_encoding", "the body is not valid UTF-8");
      const text = raw.toString("utf8");
      let parsed: unknown;
      if (def.contentType === "form") parsed = parseForm(text);
      else {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw new MandateError(400, "malformed_json", `malformed JSON: ${(e as Error).message}`);
        }
      }
      // Refused, never normalised: NUL, unpaired surrogates, __proto__, duplicate member names,
      // non-finite numbers, too deep; the argument rules on argumentFields (lib/util/exact-json.ts).
      const bad = findInexactBody(parsed, def.contentType === "form" ? null : text, def.argumentFields ?? null);
      if (bad) throw new MandateError(400, bad.code, `${bad.path}: ${bad.message}`, [{ path: bad.path, message: bad.message }]);
      const r = def.body.safeParse(parsed);
      if (!r.success) throw fromZod(r.error);
      body = r.data;
    }
    let query: unknown = undefined;
    if (def.query) {
      const r = def.query.safeParse(Object.fromEntries(url.searchParams));
      if (!r.success) throw fromZod(r.error, "query");
      query = r.data;
    }
    const out = (await def.handler({
      rt,
      req,
      params,
      query,
      body,
      principal,
      agent: principal?.kind === "agent" ? principal : null,
      user: principal?.kind === "user" ? principal : null,
      pep,
      requestId,
      span,
    })) as RouteResult | undefined;
    const result: RouteResult = out && typeof out === "object" && REPLY in out ? out : { body: out };
    if (result.stream) {
      res.writeHead(result.status ?? 200, { ...SECURITY_HEADERS, "X-Request-ID": requestId, ...result.headers });
      await result.stream(res);
      res.end();
      return;
    }
    send(res, result.status ?? 200, result.body, { "X-Request-ID": requestId, ...result.headers });
  } catch (err) {
    const me = err instanceof MandateError ? err : unexpectedError(err, `${def.method} ${def.path}`, requestId, traceLogFields(span));
    if (def.errorFormat) {
      const f = def.errorFormat(me);
      send(res, f.status, f.body, { "X-Request-ID": requestId, ...me.headers, ...f.headers });
      return;
    }
    send(res, me.status, toProblem(me, url.pathname, requestId), { "X-Request-ID": requestId, ...me.headers }, "application/problem+json");
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, type = "application/json"): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = body === undefined ? "" : JSON.stringify(body);
  const base = {
    ...SECURITY_HEADERS,
    "Content-Type": `${type}; charset=utf-8`,
    "Content-Length": String(Buffer.byteLength(payload)),
    "Cache-Control": "no-store",
  };
  try {
    // Object.assign: a spread of a spread costs ~1 µs more a request on this V8 (docs/benchmarks.md).
    res.writeHead(status, Object.assign({}, base, headers));
  } catch (err) {
    // An invalid header value must not take the node down: answer without the extra headers.
    logger.warn("could not write headers", { component: "http", err });
    res.writeHead(status, base);
  }
  res.end(payload);
}
