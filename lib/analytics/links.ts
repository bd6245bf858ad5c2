/**
 * Links into a console list with its filters in the URL format of lib/console/table (one parameter
 * per filter, several values comma-separated). Empty values are left out.
 */
export function listHref(path: string, params: Record<string, string | string[] | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
    sp.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  const q = sp.toString();
  return q ? `${path}?${q}` : path;
}

/** A dynamic route segment as the id it names (tolerates segments that are already decoded). */
export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
