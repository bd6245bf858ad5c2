/**
 * The console's one way to call Mandate from the browser: every change the console makes (and the
 * reads it polls) goes to the `/api/v1` route table or `/api/console/*` with the console session cookie,
 * same-origin. The server resolves the signed-in user and checks the role (hiding a button is never the
 * enforcement), and the CSRF rule lives in the route wrapper. Errors come back as RFC 9457
 * problem+json (or an OAuth error body) and are turned into one readable sentence; `problems` are the
 * problem's field errors and `body` the parsed answer, for callers that word an error themselves.
 *
 * Browser code with no React in it, for client components only: lib/ is the server-side domain that
 * the data plane, the CLI and the gateway share, and none of them calls Mandate through a browser session.
 */
export type ApiFailure = { ok: false; status: number; error: string; problems?: Array<{ path: string; message: string }>; body?: unknown };
export type ApiResult<T> = { ok: true; data: T } | ApiFailure;

/** A JSON body, or URLSearchParams for a form-encoded one (the OAuth token endpoint). */
export async function callApi<T = unknown>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<ApiResult<T>> {
  const form = body instanceof URLSearchParams;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" },
      body: body === undefined ? undefined : form ? body.toString() : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, error: `Mandate could not be reached (${(err as Error).message}). Check your connection and try again.` };
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, data: json as T };
  // A problem+json body, an OAuth error body, or anything else (then its text).
  const p = (json !== null && typeof json === "object" ? json : {}) as {
    detail?: unknown;
    error_description?: unknown;
    title?: unknown;
    error?: unknown;
    errors?: unknown;
  };
  const said = [p.detail, p.error_description, p.title, p.error].find((v): v is string => typeof v === "string");
  const detail = said ?? (text.slice(0, 200) || res.statusText);
  const prefix = res.status === 401 ? "Your sign-in has expired: " : res.status === 403 ? "Not allowed: " : "";
  return {
    ok: false,
    status: res.status,
    error: `${prefix}${detail}`,
    ...(Array.isArray(p.errors) ? { problems: p.errors as NonNullable<ApiFailure["problems"]> } : {}),
    body: json,
  };
}

/** Path segments from what a user typed or a row holds (a tool or agent name may contain anything). */
export const seg = (s: string | number) => encodeURIComponent(String(s));
