/**
 * RFC 9457 answers for the console's route handlers (app/api/console/*, served by Next.js), the same
 * as the route wrapper (lib/http/route.ts) writes for the data plane: a MandateError thrown by the
 * handler is answered with its status and problem+json, anything else as a 500 (503 when the database
 * is unreachable), with X-Request-ID echoed or generated. Web-standard Request/Response only.
 */
import { randomUUID } from "node:crypto";
import { MandateError, toProblem, unexpectedError } from "../errors.ts";

export function problemResponse(err: MandateError, instance: string, requestId: string): Response {
  return new Response(JSON.stringify(toProblem(err, instance, requestId)), {
    status: err.status,
    headers: { "Content-Type": "application/problem+json; charset=utf-8", "Cache-Control": "no-store", "X-Request-ID": requestId, ...err.headers },
  });
}

/** Runs a route handler; whatever it throws is answered as problem+json. */
export async function answerProblems(req: Request, handler: () => Promise<Response>): Promise<Response> {
  const requestId = req.headers.get("x-request-id")?.slice(0, 200) || randomUUID();
  const path = new URL(req.url).pathname;
  try {
    return await handler();
  } catch (err) {
    const me = err instanceof MandateError ? err : unexpectedError(err, `${req.method} ${path}`, requestId);
    return problemResponse(me, path, requestId);
  }
}
