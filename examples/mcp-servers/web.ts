/**
 * Demo MCP server "web": fetch an http(s) URL for real, with a timeout and a size cap.
 *   DEMO_WEB_TIMEOUT_MS  whole-request timeout in milliseconds (default 10000)
 * Run: npx tsx examples/mcp-servers/web.ts
 */
import { intArg, requiredString, serveDemo, ToolError } from "./serve.ts";

const timeoutMs = Number(process.env.DEMO_WEB_TIMEOUT_MS ?? 10_000) || 10_000;
const TEXTUAL = /^(text\/|application\/(json|xml|xhtml\+xml|javascript|ld\+json|rss\+xml|atom\+xml)|[^;]*\+json|[^;]*\+xml)/i;

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(`Not a valid URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ToolError(`Only http and https URLs are supported, not ${url.protocol}`);
  return url;
}

async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), truncated: false };
      const room = maxBytes - total;
      if (value.length > room) {
        chunks.push(Buffer.from(value.subarray(0, room)));
        return { bytes: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(Buffer.from(value));
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

await serveDemo("web", {
  async fetch_url(args) {
    const url = parseUrl(requiredString(args, "url", 2048));
    const maxBytes = intArg(args, "max_bytes", 1, 1_048_576, 262_144);
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: "follow", headers: { "user-agent": "mandate-demo-web/1.0" } });
    } catch (err) {
      const name = (err as Error).name;
      if (name === "TimeoutError" || name === "AbortError") throw new ToolError(`Timed out after ${timeoutMs} ms fetching ${url.href}`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ToolError(`Could not fetch ${url.href}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const contentType = response.headers.get("content-type") ?? "unknown";
    let result: { bytes: Buffer; truncated: boolean };
    try {
      result = await readCapped(response.body, maxBytes);
    } catch (err) {
      if (signal.aborted) throw new ToolError(`Timed out after ${timeoutMs} ms reading ${url.href}`);
      throw err;
    }
    const header = `HTTP ${response.status} ${response.statusText} | ${contentType} | ${response.url}`;
    const body = TEXTUAL.test(contentType) ? result.bytes.toString("utf8") : `[${result.bytes.length} bytes of ${contentType} content not shown]`;
    const note = result.truncated ? `\n[truncated at ${maxBytes} bytes]` : "";
    return `${header}\n\n${body}${note}`;
  },
});
