/**
 * Transparent forwarding between the client-facing Server and the upstream-facing Client.
 *
 * The SDK's Server and Client check capabilities before sending or handling a message; a proxy must
 * not, because it relays whatever the two ends agreed on (the upstream decides what it supports). These
 * subclasses turn those checks off. Messages are forwarded raw (no schema parsing of params); results are
 * parsed only with the SDK's loose ResultSchema, which keeps every field.
 *
 * Progress: when the sender supplied a progressToken, the forwarded request carries a token of the
 * receiving side's own, and progress notifications are mapped back to the original token. They are
 * handled in arrival order, before a response that came after them (see inOrderProgress).
 * Cancellation: the handler's AbortSignal is passed on, so notifications/cancelled is relayed with the
 * right request id.
 * Errors: a JSON-RPC error from the other side is relayed with its code, message and data unchanged
 * (RelayedError; the SDK's McpError would prefix the message).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestHandlerExtra, RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  McpError,
  ProgressNotificationSchema,
  ResultSchema,
  type JSONRPCNotification,
  type Notification,
  type Request,
  type RequestId,
  type Result,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * The SDK's Protocol handles a response as soon as it arrives, but a notification one microtask later;
 * the response removes the request's progress handler, so progress notifications that arrived in the
 * same read as the result (the last ones before it, typically) found no handler and were dropped.
 * Progress notifications are handed to the Protocol's own progress handling at once instead, in
 * arrival order, before anything read after them. (Protocol internals of the pinned SDK version;
 * `inOrderProgress` throws at construction if they are missing, and test/gateway/progress.test.ts
 * checks the order end to end.)
 */
function inOrderProgress(p: Protocol<Request, Notification, Result>): void {
  const internals = p as unknown as {
    _onnotification?: (n: JSONRPCNotification) => void;
    _onprogress?: (n: unknown) => void;
  };
  const later = internals._onnotification;
  const progress = internals._onprogress;
  if (typeof later !== "function" || typeof progress !== "function")
    throw new Error("mandate-gateway: this version of @modelcontextprotocol/sdk has no Protocol._onnotification/_onprogress");
  internals._onnotification = (n) => {
    if (n.method === "notifications/progress") {
      const parsed = ProgressNotificationSchema.safeParse(n);
      if (parsed.success) return progress.call(p, parsed.data);
    }
    later.call(p, n);
  };
}

/** A JSON-RPC error relayed as it was received: same code, message and data. */
export class RelayedError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.message = message; // McpError prefixes "MCP error <code>: "
  }
}

/** The McpError the SDK made of a JSON-RPC error, as that error was (its message without the SDK's prefix). */
export function relayed(e: unknown): unknown {
  if (!(e instanceof McpError) || e instanceof RelayedError) return e;
  const prefix = `MCP error ${e.code}: `;
  return new RelayedError(e.code, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, e.data);
}

export class TransparentServer extends Server<Request, Notification, Result> {
  constructor(...args: ConstructorParameters<typeof Server<Request, Notification, Result>>) {
    super(...args);
    inOrderProgress(this);
  }

  protected override assertCapabilityForMethod(): void {}
  protected override assertNotificationCapability(): void {}
  protected override assertRequestHandlerCapability(): void {}
  protected override assertTaskCapability(): void {}
  protected override assertTaskHandlerCapability(): void {}
}

export class TransparentClient extends Client<Request, Notification, Result> {
  constructor(...args: ConstructorParameters<typeof Client<Request, Notification, Result>>) {
    super(...args);
    inOrderProgress(this);
  }

  protected override assertCapabilityForMethod(): void {}
  protected override assertNotificationCapability(): void {}
  protected override assertRequestHandlerCapability(): void {}
  protected override assertTaskCapability(): void {}
  protected override assertTaskHandlerCapability(): void {}
}

export type Extra = RequestHandlerExtra<Request, Notification>;
export type RawRequest = { method: string; params?: Record<string, unknown> & { _meta?: Record<string, unknown> } };

/** Anything that can send a request and a notification (the Server towards the client, a Client upstream). */
export interface Peer {
  request(req: Request, schema: typeof ResultSchema, options?: RequestOptions): Promise<Result>;
  notification(n: Notification, options?: { relatedRequestId?: RequestId }): Promise<void>;
}

export function progressTokenOf(req: RawRequest): string | number | undefined {
  const t = req.params?._meta?.progressToken;
  return typeof t === "string" || typeof t === "number" ? t : undefined;
}

/** Sends `req` to `target`, relaying progress back to the sender and cancellation forward. */
export function forwardRequest(target: Peer, req: RawRequest, extra: Extra, opts: { timeoutMs: number; relatedRequestId?: RequestId }): Promise<Result> {
  const token = progressTokenOf(req);
  const options: RequestOptions = {
    signal: extra.signal,
    timeout: opts.timeoutMs,
    resetTimeoutOnProgress: true,
    ...(opts.relatedRequestId !== undefined ? { relatedRequestId: opts.relatedRequestId } : {}),
  };
  if (token !== undefined) {
    options.onprogress = (p) => {
      extra.sendNotification({ method: "notifications/progress", params: { ...p, progressToken: token } }).catch(() => {});
    };
  }
  const request = (req.params === undefined ? { method: req.method } : { method: req.method, params: req.params }) as Request;
  return target.request(request, ResultSchema, options).catch((e: unknown) => {
    throw relayed(e);
  });
}

export function forwardNotification(target: Peer, n: Notification, relatedRequestId?: RequestId): Promise<void> {
  return target.notification(n, relatedRequestId !== undefined ? { relatedRequestId } : undefined);
}
