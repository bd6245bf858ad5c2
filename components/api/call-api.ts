/**
 * Browser calls to Mandate's data-plane API with the console session cookie (the server resolves the
 * signed-in user and checks the role: hiding a button is never the enforcement). Errors come back as
 * RFC 9457 problem+json (or an OAuth error body) and are turned into one readable sentence.
 */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

export async function callApi<T = unknown>(method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, error: `Mandate could not be reached (${(err as Error).message}). Check your connection and try again.` };
  }
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, data: json as T };
  const detail = json?.detail ?? json?.error_description ?? json?.title ?? json?.error ?? (text.slice(0, 200) || res.statusText);
  const prefix = res.status === 401 ? "Your sign-in has expired: " : res.status === 403 ? "Not allowed: " : "";
  return { ok: false, status: res.status, error: `${prefix}${detail}` };
}
