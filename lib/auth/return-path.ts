/**
 * Where the console sends a user after sign-in: the page they asked for while signed out, carried to
 * /login as `callbackUrl`. Only a path of this console is accepted — it starts with a single "/"
 * (not "//" or "/\", which browsers read as another host), has no scheme and no control characters —
 * so a crafted link cannot send someone off-site after they sign in. Anything else is "/".
 */

/** The header server/console.ts stamps with the path and query of every console request (replacing the client's). */
export const REQUEST_PATH_HEADER = "x-mandate-request-path";

/** Next.js's internal query parameters (client navigations add `_rsc`): not part of the page asked for. */
const INTERNAL_PARAMS = ["_rsc"];

/** `value` if it is a same-origin relative path (path, query, fragment), else "/". */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  try {
    // Resolved against a placeholder origin, it must stay on that origin with the same path.
    const u = new URL(value, "http://mandate.invalid");
    if (u.origin !== "http://mandate.invalid") return "/";
    return u.pathname + u.search + u.hash === value ? value : "/";
  } catch {
    return "/";
  }
}

/**
 * The return path for a request URL (path and query as received): Next's internal parameters removed,
 * refused like safeReturnPath. "/" (the dashboard, where sign-in lands anyway) is returned as null.
 */
export function returnPathOf(requestUrl: string | null | undefined): string | null {
  if (!requestUrl) return null;
  let path = safeReturnPath(requestUrl);
  if (path === "/") return null;
  const u = new URL(path, "http://mandate.invalid");
  if (INTERNAL_PARAMS.some((p) => u.searchParams.has(p))) {
    for (const p of INTERNAL_PARAMS) u.searchParams.delete(p);
    path = u.pathname + u.search;
  }
  return path === "/" ? null : path;
}

/** /login, carrying the requested page (if any) as `callbackUrl`. */
export function loginUrlFor(requestUrl: string | null | undefined): string {
  const back = returnPathOf(requestUrl);
  return back ? `/login?${new URLSearchParams({ callbackUrl: back })}` : "/login";
}
