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
  durationS: number;
}

/** Combines rounds of one target: throughput over the summed time, median of the rounds' percentiles. */
export function combine(name: string, rounds: LoadResult[]): LoadResult {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const durationS = sum((r) => r.durationS);
  return {
    name,
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    rps: sum((r) => r.requests) / durationS,
    p50: med(rounds.map((r) => r.p50)),
    p99: med(rounds.map((r) => r.p99)),
    durationS,
  };
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
  const started = performance.now();
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
  // autocannon's own duration is coarse (whole seconds for short runs): time the run here.
  const seconds = (performance.now() - started) / 1000;
  return {
    name: opts.name,
    requests: total,
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    rps: total / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    durationS: seconds,
  };
}
