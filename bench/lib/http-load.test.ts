import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpLoad, parseResponse, percentile } from "./http-load.ts";

let server: http.Server;
let url: string;
const seen: Array<{ auth?: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ auth: req.headers.authorization, body });
      const n = JSON.parse(body).n as number;
      if (n % 10 === 3) {
        res.writeHead(403, { "content-type": "application/json" });
        return res.end(JSON.stringify({ denied: n })); // chunked (no Content-Length)
      }
      if (n % 10 === 7) {
        res.writeHead(200, { "content-type": "application/json", connection: "close", "content-length": "2" });
        return res.end("{}");
      }
      setTimeout(() => {
        const out = JSON.stringify({ n, pad: "x".repeat(n % 5 === 0 ? 70_000 : 10) });
        res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(out)) });
        res.end(out);
      }, 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("httpLoad", () => {
  it("sends exactly `amount` requests and counts 2xx, non-2xx (chunked) and closed connections", async () => {
    let i = 0;
    const r = await httpLoad({ url, connections: 7, amount: 200, next: () => ({ body: JSON.stringify({ n: i++ }), authorization: `Bearer k${i % 3}` }) });
    expect(r.answered).toBe(200);
    expect(r.errors).toBe(0);
    expect(r.non2xx).toBe(20); // n % 10 === 3
    expect(r.ok).toBe(180);
    expect(r.latencies.length).toBe(200);
    expect(seen.filter((s) => s.auth?.startsWith("Bearer k")).length).toBeGreaterThanOrEqual(200);
    // the delayed answers take at least the server's 5 ms
    expect(percentile(r.latencies, 90)).toBeGreaterThanOrEqual(5);
  });

  it("counts requests that get no answer as errors", async () => {
    const dead = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const r = await httpLoad({ url: `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`, connections: 2, amount: 10, next: () => "{}" });
    dead.close();
    expect(r.errors).toBe(10);
    expect(r.answered).toBe(0);
  });
});

describe("parseResponse", () => {
  it("waits for the whole body, by Content-Length or chunks (with trailers)", () => {
    const cl = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
    expect(parseResponse(cl)).toBeNull();
    expect(parseResponse(Buffer.concat([cl, Buffer.from("lo")]))).toEqual({ status: 200, length: cl.length + 2, close: false });
    const ch = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n";
    expect(parseResponse(Buffer.from(ch))).toBeNull();
    expect(parseResponse(Buffer.from(`${ch}\r\n`))).toEqual({ status: 404, length: ch.length + 2, close: true });
    const tr = `${ch}X-Trailer: 1\r\n\r\n`;
    expect(parseResponse(Buffer.from(tr))).toEqual({ status: 404, length: tr.length, close: true });
    expect(() => parseResponse(Buffer.from("garbage\r\n\r\n"))).toThrow();
  });
});
