/**
 * Forged requests: calling the console's API directly, as a browser could without the UI (to prove that
 * hiding a button is not the only protection). The console's changes all go to /api/v1 routes with its
 * session cookie; this posts one with the cookie, from the console's own origin as the browser would
 * (a cookie-authenticated change from another origin is refused first, see
 * test/integration/web-security.test.ts). Returns the HTTP status and the parsed answer.
 */
export async function forgeApi(baseUrl: string, path: string, body: unknown, cookie: string): Promise<{ status: number; body: any }> {
  const r = await fetch(baseUrl + path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: baseUrl, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: r.status, body: parsed };
}
