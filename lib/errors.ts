/**
 * The one error class of the domain and its mapping to RFC 9457 problem details.
 */
import { z } from "zod";
import type { Problem } from "./api/schemas.ts";
import { isDatabaseUnavailable, RETRY_AFTER_S } from "./db/unavailable.ts";
import { logger } from "./telemetry/log.ts";

export class MandateError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: Array<{ path: string; message: string }>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "MandateError";
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const badRequest = (code: string, message: string, errors?: Array<{ path: string; message: string }>) => new MandateError(400, code, message, errors);
export const notFound = (what: string) => new MandateError(404, "not_found", `${what} not found`);
export const forbidden = (message: string) => new MandateError(403, "forbidden", message);

/** A header value may hold only visible ASCII (RFC 9110 quoted-string): anything else is replaced. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "'");
}

export function unauthorized(message: string, realm = "mandate"): MandateError {
  return new MandateError(401, "unauthorized", message, undefined, {
    "WWW-Authenticate": `Bearer realm="${headerSafe(realm)}", error="invalid_token", error_description="${headerSafe(message)}"`,
  });
}

export function zodIssues(err: z.ZodError, prefix = ""): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({
    path: (prefix ? [prefix, ...i.path] : i.path).map(String).join(".") || "(body)",
    message: i.message,
  }));
}

export function fromZod(err: z.ZodError, prefix = ""): MandateError {
  const errors = zodIssues(err, prefix);
  const first = errors[0];
  return new MandateError(400, "invalid_request", first ? `${first.path}: ${first.message}` : "Invalid request", errors);
}

/**
 * An error that is not the caller's: the database being unreachable is a 503 (with Retry-After),
 * anything else a 500 whose cause is logged with the request id (`where`: the request), never shown.
 */
export function unexpectedError(err: unknown, where: string, requestId: string, fields?: Record<string, unknown>): MandateError {
  if (isDatabaseUnavailable(err)) {
    return new MandateError(503, "database_unavailable", `the database is unreachable (request ${requestId}): retry shortly`, undefined, {
      "Retry-After": String(RETRY_AFTER_S),
    });
  }
  logger.error(`${where} failed`, { request_id: requestId, ...fields, err });
  return new MandateError(500, "internal", `internal error (request ${requestId})`);
}

export function toProblem(err: MandateError, instance?: string, requestId?: string): Problem {
  return {
    type: `https://mandate.dev/problems/${err.code}`,
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: err.message,
    ...(instance ? { instance } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}
