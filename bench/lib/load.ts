/**
 * Drives one target with autocannon: a fixed number of requests (so every answered request is
 * counted, none is cut off mid-flight) over N connections, each request built by `next()`.
 */
import autocannon from "autocannon";

export interface LoadResult {
  name: string;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

export async function runLoad(opts: {
  name: string;
  url: string;
  connections: number;
  amount: number;
  headers?: Record<string, string>;
  /** The next request's body, or body and Authorization header. */
  next: () => string | { body: string; authorization: string };
}): Promise<LoadResult> {
  const result = await autocannon({
    url: opts.url,
    method: "POST",
    connections: opts.connections,
    amount: opts.amount,
    headers: { "content-type": "application/json", ...opts.headers },
    requests: [
      {
        setupRequest: (req: Record<string, any>) => {
          const n = opts.next();
          if (typeof n === "string") return { ...req, body: n };
          return { ...req, body: n.body, headers: { ...req.headers, authorization: n.authorization } };
        },
      },
    ],
  } as never);
  const r = result as unknown as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    "2xx": number;
  };
  const total = r["2xx"] + r.non2xx;
  return {
    name: opts.name,
    requests: total,
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    rps: total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}
