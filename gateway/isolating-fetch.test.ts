import { getEventListeners } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortIsolatingFetch } from "./isolating-fetch.ts";

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/stream") {
      // an SSE-like response that stays open until the client goes away
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("abortIsolatingFetch", () => {
  it("leaves no listener on a shared signal after many requests (plain fetch would keep one per request)", async () => {
    const shared = new AbortController();
    const f = abortIsolatingFetch();
    for (let i = 0; i < 50; i++) {
      const r = await f(`${base}/json/${i}`, { signal: shared.signal });
      expect(await r.json()).toEqual({ ok: true, url: `/json/${i}` });
    }
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
  });

  it("keeps the bridge while a stream is open, and aborting the shared signal ends the stream", async () => {
    const shared = new AbortController();
    const r = await abortIsolatingFetch()(`${base}/stream`, { signal: shared.signal });
    const reader = r.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("first");
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(1);
    shared.abort(new Error("connection closed"));
    await expect(reader.read()).rejects.toThrow();
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
  });

  it("releases the listener when the reader cancels the stream", async () => {
    const shared = new AbortController();
    const r = await abortIsolatingFetch()(`${base}/stream`, { signal: shared.signal });
    await r.body!.cancel();
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
  });

  it("passes status and headers through", async () => {
    const r = await abortIsolatingFetch()(`${base}/json/x`, { signal: new AbortController().signal });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
  });
});
