/**
 * The console's sign-in over plain HTTP from a chosen loopback address (127.0.0.0/8 all reach a node
 * listening on 127.0.0.1, and the node sees the chosen address as the client's): next-auth's CSRF
 * token, then the credentials callback (`json=true`, as the login form sends it), then the answer
 * classified as signed in (with the session cookie), wrong credentials, or throttled.
 */
import { request } from "node:http";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  setCookies: Map<string, string>;
}

export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, localAddress: opts.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const setCookies = new Map<string, string>();
        for (const c of res.headers["set-cookie"] ?? []) {
          const [pair] = c.split(";");
          const i = pair.indexOf("=");
          setCookies.set(pair.slice(0, i), pair.slice(i + 1));
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), setCookies });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export interface SignInAttempt {
  outcome: "signed_in" | "refused" | "throttled" | "other";
  /** the `error` of the redirect (CredentialsSignin, TooManyAttempts…), or null */
  error: string | null;
  /** retry_after (seconds) of a throttled attempt */
  retryAfter: number | null;
  /** "next-auth.session-token=…" when signed in */
  cookie: string | null;
  /** milliseconds from sending the credentials to the answer (the CSRF round trip excluded) */
  ms: number;
}

export interface Csrf {
  token: string;
  cookie: string;
}

export async function csrf(base: string, localAddress?: string): Promise<Csrf> {
  const r = await httpRequest(`${base}/api/auth/csrf`, { localAddress });
  const token = (JSON.parse(r.text) as { csrfToken: string }).csrfToken;
  return { token, cookie: [...r.setCookies].map(([k, v]) => `${k}=${v}`).join("; ") };
}

/** One credentials sign-in; `pre` is a CSRF token fetched beforehand (so that only the attempt is timed). */
export async function signInAttempt(
  base: string,
  email: string,
  password: string,
  opts: { localAddress?: string; headers?: Record<string, string>; pre?: Csrf } = {},
): Promise<SignInAttempt> {
  const c = opts.pre ?? (await csrf(base, opts.localAddress));
  const t0 = performance.now();
  const r = await httpRequest(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    localAddress: opts.localAddress,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: c.cookie, ...opts.headers },
    body: new URLSearchParams({ csrfToken: c.token, email, password, json: "true", callbackUrl: `${base}/` }).toString(),
  });
  const ms = performance.now() - t0;
  const session = r.setCookies.get("next-auth.session-token");
  let url: URL | null = null;
  try {
    url = new URL((JSON.parse(r.text) as { url: string }).url, base);
  } catch {
    url = null;
  }
  const error = url?.searchParams.get("error") ?? null;
  const retry = url?.searchParams.get("retry_after");
  const outcome = session && !error ? "signed_in" : error === "TooManyAttempts" ? "throttled" : error === "CredentialsSignin" ? "refused" : "other";
  return { outcome, error, retryAfter: retry ? Number(retry) : null, cookie: session ? `next-auth.session-token=${session}` : null, ms };
}

/**
 * Signs out (next-auth's POST /api/auth/signout with the session cookie and a CSRF token), from the
 * console's own origin as a browser does (a cookie-authenticated change from elsewhere is refused).
 */
export async function signOut(base: string, cookie: string): Promise<HttpAnswer> {
  const c = await csrf(base);
  return httpRequest(`${base}/api/auth/signout`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base, cookie: `${c.cookie}; ${cookie}` },
    body: new URLSearchParams({ csrfToken: c.token, json: "true", callbackUrl: `${base}/login` }).toString(),
  });
}
