/**
 * The policy editor's calls (the MCP store's /api/v1/policies routes): its test cases go as JSON, read
 * from the editor's text here, and a refused test case is worded as the editor words it.
 */
import type { ApiFailure } from "@/components/api/call-api";

export const POLICIES = "/api/v1/policies/mcp";

/** The test cases of the editor's JSON text (empty text: none). */
export function testCasesOf(text: string): { ok: true; tests: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, tests: [] };
  try {
    return { ok: true, tests: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `the test cases are not valid JSON: ${(e as Error).message}` };
  }
}

/** The sentence for a refused call; a refused test case is named "test case <n>.<field>". */
export function policyError(r: ApiFailure): string {
  const p = r.problems?.[0];
  if (r.status === 400 && p && (p.path === "tests" || p.path.startsWith("tests."))) return `test case ${p.path.slice("tests.".length)}: ${p.message}`;
  return r.error;
}

/**
 * POSTs `body` and saves the answer as a file (an export): the browser's download of a blob, named as the
 * server's Content-Disposition says. Returns an error sentence, or null once the download has started.
 */
export async function downloadPost(path: string, body: unknown, fallbackName: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch(path, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (err) {
    return `Mandate could not be reached (${(err as Error).message}).`;
  }
  if (!res.ok) {
    const text = await res.text();
    try {
      const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
      return [p.detail, p.title].find((v): v is string => typeof v === "string") ?? res.statusText;
    } catch {
      return text.slice(0, 200) || res.statusText;
    }
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}
