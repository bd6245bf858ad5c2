/**
 * Is this error "the database cannot be reached right now" (as opposed to a bad query or a
 * constraint)? Such errors are answered 503 with Retry-After, never 500: the request changed nothing
 * it answered, and it can be retried when PostgreSQL is back.
 */
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** SQLSTATE: connection exceptions (08…), operator intervention (57P01–57P05), too many connections. */
const SQL_CODES = /^(08\d{3}|57P0[1-5]|53300)$/;
const MESSAGES = new RegExp(
  [
    "Connection terminated",
    "connection timeout",
    "timeout exceeded when trying to connect",
    "Client has encountered a connection error",
    "Client was closed",
    "Query read timeout",
    "database system is (starting up|shutting down|in recovery mode)",
    "the database system is not accepting connections",
    "terminating connection",
  ].join("|"),
  "i",
);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && (NODE_CODES.has(e.code) || SQL_CODES.test(e.code))) return true;
    if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      // AggregateError (e.g. a connection refused on both IPv4 and IPv6)
      if ((e as { errors: unknown[] }).errors.some((x) => isDatabaseUnavailable(x))) return true;
    }
  }
  return false;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const RETRY_AFTER_S = 2;
