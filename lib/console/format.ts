/** Small formatting helpers shared by console pages (pure, so they render the same on server and client). */

export function ago(isoTime: string | null, now = Date.now()): string {
  if (!isoTime) return "never";
  const s = Math.round((now - new Date(isoTime).getTime()) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const v = a < 60 ? `${a}s` : a < 3600 ? `${Math.floor(a / 60)}m` : a < 86400 ? `${Math.floor(a / 3600)}h` : `${Math.floor(a / 86400)}d`;
  return future ? `in ${v}` : `${v} ago`;
}

export function compactNumber(n: number): string {
  return n < 1000 ? String(n) : n < 1_000_000 ? `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k` : `${(n / 1_000_000).toFixed(1)}M`;
}

/** A database timestamp as ISO 8601, or null. */
export function iso(d: Date | string | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}
