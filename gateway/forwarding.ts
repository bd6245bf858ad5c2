/**
 * Transparent forwarding between the client-facing Server and the upstream-facing Client.
 *
 * The SDK's Server and Client check capabilities before sending or handling a message; a proxy must
 * not, because it relays whatever the two ends agreed on (the upstream decides what it supports). These
 * subclasses turn those checks off. Messages are forwarded raw (no schema parsing of params); results are
 * parsed only with the SDK's loose ResultSchema, which keeps every field.
 *
 * Progress: when the sender supplied a progressToken, the forwarded request carries a token of the
 * receiving side's own, and progress notifications are mapped back to the original token.
 * Cancellation: the handler's AbortSignal is passed on, so notifications/cancelled is relayed with the
 * right request id.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestHandlerExtra, RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  ResultSchema,
  type Notification,
  type Request,
  type RequestId,
  type Result,
} from "@modelcontextprotocol/sdk/types.js";

export class TransparentServer extends Server<Request, Notification, Result> {
  protected override assertCapabilityForMethod(): void {}
  protected override assertNotificationCapability(): void {}
  protected override assertRequestHandlerCapability(): void {}
  protected override assertTaskCapability(): void {}
  protected override assertTaskHandlerCapability(): void {}
}

export class TransparentClient extends Client<Request, Notification, Result> {
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
export function forwardRequest(
  target: Peer,
  req: RawRequest,
  extra: Extra,
  opts: { timeoutMs: number; relatedRequestId?: RequestId },
): Promise<Result> {
  const token = progressTokenOf(req);
  const options: RequestOptions = {
    signal: extra.signal,
    timeout: opts.timeoutMs,
    resetTimeoutOnProgress: true,
    ...(opts.relatedRequestId !== undefined ? { relatedRequestId: opts.relatedRequestId } : {}),
  };
  if (token !== undefined) {
    options.onprogress = (p) => {
      extra
        .sendNotification({ method: "notifications/progress", params: { ...p, progressToken: token } })
        .catch(() => {});
    };
  }
  const request = (req.params === undefined ? { method: req.method } : { method: req.method, params: req.params }) as Request;
  return target.request(request, ResultSchema, options);
}

export function forwardNotification(target: Peer, n: Notification, relatedRequestId?: RequestId): Promise<void> {
  return target.notification(n, relatedRequestId !== undefined ? { relatedRequestId } : undefined);
}

/** Removes the handlers the SDK installs by default, so that these messages reach the fallback handlers. */
export function clearDefaultHandlers(p: TransparentServer | TransparentClient, methods: string[]): void {
  for (const m of methods) p.removeRequestHandler(m);
}
