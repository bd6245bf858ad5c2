/**
 * Signs in to the console over HTTP (next-auth's credentials flow: CSRF token, then the callback) and
 * returns the session cookie, so tests need not click through the login form every time.
 */
export interface SessionCookie {
  name: string;
  value: string;
  /** "name=value" for a Cookie header. */
  header: string;
}

function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}

export async function consoleLogin(baseUrl: string, email: string, password: string): Promise<SessionCookie> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    },
    body: new URLSearchParams({ csrfToken, email, password, json: "true", callbackUrl: `${baseUrl}/` }),
  });
  const session = cookiesOf(res).get("next-auth.session-token");
  if (!session) throw new Error(`console login failed for ${email}: HTTP ${res.status}`);
  return { name: "next-auth.session-token", value: session, header: `next-auth.session-token=${session}` };
}
