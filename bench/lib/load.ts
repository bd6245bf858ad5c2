/**
 * Drives one target: a fixed number of requests (so every answered request is counted, none is cut
 * off mid-flight) over N keep-alive connections, each request built by `next()` (bench/lib/http-load.ts).
 */
import { httpLoad, percentile } from "./http-load.ts";

export interface LoadResult {
  name: string;
  requests: number;
  ok: number;
  non2xx: number;
  /** The non-2xx answers by status (HTTP targets). */
  statuses?: Record<number, number>;
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
  const r = await httpLoad(opts);
  return {
    name: opts.name,
    requests: r.answered,
    ok: r.ok,
    non2xx: r.non2xx,
    statuses: r.statuses,
    errors: r.errors,
    rps: r.answered / r.seconds,
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    durationS: r.seconds,
  };
}
