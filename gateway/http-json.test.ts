import http from "node:http";
import https from "node:https";
import net from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestJson, TransportError } from "./http-json.ts";

/** A node:http server that records requests and connections; the handler decides each answer. */
let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let server: http.Server;
let base: string;
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const json = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
};

/** A raw TCP server that answers every request with `answer` (bytes exactly as given). */
async function rawServer(answer: (n: number) => string | Buffer, opts: { close?: boolean } = {}) {
  let n = 0;
  const socks = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    socks.add(sock);
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.slice(end + 4 + len);
      sock.write(answer(n++));
      if (opts.close) sock.end();
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const sock of socks) sock.destroy();
        s.close(() => r());
      }),
  };
}

const post = (url: string, body: unknown = { a: 1 }, extra: Partial<Parameters<typeof requestJson>[2]> = {}) =>
  requestJson("POST", new URL(url), { body, timeoutMs: 2_000, ...extra });

describe("requestJson (the gateway's HTTP client for Mandate)", () => {
  it("sends a JSON request in one piece and parses a sized JSON answer", async () => {
    let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      json(res, 201, { ok: true, echo: body ? JSON.parse(body) : null });
    };
    const r = await requestJson("POST", new URL(`${base}/api/v1/decisions?x=1`), {
      body: { tool: "é" },
      headers: { authorization: "Bearer k" },
      timeoutMs: 2_000,
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ ok: true, echo: { tool: "é" } });
    expect(r.headers["content-type"]).toBe("application/json");
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/api/v1/decisions?x=1");
    expect(seen.headers!.authorization).toBe("Bearer k");
    expect(seen.headers!.host).toBe(new URL(base).host);
    expect(seen.headers!["content-type"]).toBe("application/json");
    expect(seen.headers!["content-length"]).toBe(String(Buffer.byteLength('{"tool":"é"}')));
    const get = await requestJson("GET", new URL(`${base}/x`), { timeoutMs: 2_000 });
    expect(get.status).toBe(201);
    expect(seen.method).toBe("GET");
    expect(seen.headers!["content-length"]).toBeUndefined();
  });

  it("reads chunked answers, and non-JSON bodies as text", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(503, { "content-type": "application/problem+json" }); // no length: chunked
      res.write('{"title":"Service');
      setTimeout(() => res.end(' Unavailable","status":503}'), 20);
    };
    const r = await post(`${base}/chunked`);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ title: "Service Unavailable", status: 503 });
    handler = (_req, _body, res) => res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
    const t = await post(`${base}/text`);
    expect(t).toMatchObject({ status: 502, body: undefined, text: "bad gateway" });
  });

  it("keeps the connection alive between requests, and opens one per concurrent request", async () => {
    handler = (_req, body, res) => setTimeout(() => json(res, 200, JSON.parse(body)), 5);
    await post(`${base}/warm`);
    const before = connections;
    for (let i = 0; i < 5; i++) expect((await post(`${base}/seq`, { i })).body).toEqual({ i });
    expect(connections).toBe(before);
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => post(`${base}/par`, { i })));
    expect(all.map((r) => r.body)).toEqual(Array.from({ length: 8 }, (_, i) => ({ i })));
    expect(connections - before).toBe(7); // the idle one was reused
  });

  it("opens a new connection after an answer with Connection: close, and after the server dropped an idle one", async () => {
    // Its own server, so that no idle connection of another test is in the pool.
    let opened = 0;
    let close = true;
    const s = http.createServer((_req, res) => json(res, 200, { n: opened }, close ? { connection: "close" } : {}));
    const socks: net.Socket[] = [];
    s.on("connection", (sock) => {
      opened++;
      socks.push(sock);
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/x`;
    try {
      await post(url);
      await post(url);
      expect(opened).toBe(2);
      close = false;
      await post(url);
      await post(url);
      expect(opened).toBe(3); // kept alive
      for (const sock of socks) sock.end(); // the server drops the idle connection
      await new Promise((r) => setTimeout(r, 50));
      expect((await post(url)).body).toEqual({ n: 4 });
    } finally {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it("sends a request again when a reused connection is closed before any answer (keep-alive race)", async () => {
    let n = 0;
    const s = net.createServer((sock) => {
      sock.on("data", () => {
        n++;
        // The first request is answered and the connection kept; the second one finds it closed.
        if (n === 1) sock.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        else if (n === 2) sock.destroy();
        else sock.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{"n":3}\n');
      });
      sock.on("error", () => {});
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      expect((await post(url)).body).toEqual({});
      expect((await post(url)).body).toEqual({ n: 3 });
      expect(n).toBe(3);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it("reads an answer that ends with the connection, and skips interim 1xx answers", async () => {
    const s = await rawServer(() => 'HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n{"till":"close"}', { close: true });
    try {
      expect((await post(s.url)).body).toEqual({ till: "close" });
    } finally {
      await s.close();
    }
    const e = await rawServer(() => 'HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n{"ok":1}\n');
    try {
      expect((await post(e.url)).body).toEqual({ ok: 1 });
      expect((await post(e.url)).body).toEqual({ ok: 1 });
    } finally {
      await e.close();
    }
  });

  it.each([
    ["a malformed status line", "HTTP/2 200 OK\r\ncontent-length: 2\r\n\r\n{}"],
    ["garbage", "hello there\r\n\r\n"],
    ["a header without a colon", "HTTP/1.1 200 OK\r\nbroken header\r\ncontent-length: 2\r\n\r\n{}"],
    ["a folded header", "HTTP/1.1 200 OK\r\nx-a: 1\r\n  folded\r\ncontent-length: 2\r\n\r\n{}"],
    ["both Content-Length and Transfer-Encoding", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"],
    ["a Transfer-Encoding other than chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n{}"],
    ["differing Content-Lengths", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}"],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"],
    ["bytes after the answer", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n"],
    ["a protocol switch", "HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\n\r\n"],
    ["a body over 16 MiB", "HTTP/1.1 200 OK\r\ncontent-length: 99999999\r\n\r\n{}"],
  ])("fails with a TransportError on %s, and the next request still works", async (_what, answer) => {
    const s = await rawServer((n) => (n === 0 ? answer : 'HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n{"ok":1}'));
    try {
      const err = await post(s.url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe("EPROTO");
      expect((err as Error).message).toMatch(/^invalid HTTP answer from http:\/\/127\.0\.0\.1:\d+: /);
      expect((await post(s.url)).body).toEqual({ ok: 1 });
    } finally {
      await s.close();
    }
  });

  it("refuses a head over 64 KiB", async () => {
    const s = await rawServer(() => `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(70 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`);
    try {
      await expect(post(s.url)).rejects.toMatchObject({ code: "EPROTO", message: expect.stringMatching(/head too large/) });
    } finally {
      await s.close();
    }
  });

  it("times out, can be cancelled, and says when the server cannot be reached", async () => {
    handler = () => {}; // never answers
    await expect(post(`${base}/slow`, {}, { timeoutMs: 100 })).rejects.toMatchObject({
      code: "ETIMEDOUT",
      message: `no answer from ${base} within 100 ms`,
    });
    const ac = new AbortController();
    const p = post(`${base}/slow`, {}, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: "ABORTED", message: "request cancelled" });
    await expect(post(`${base}/slow`, {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
    const port = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    await expect(post(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: "ECONNREFUSED",
      message: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED`,
    });
  });

  it("opens at most 256 connections to an origin; a request waiting for one still times out", async () => {
    const sockets = new Set<net.Socket>();
    const s = net.createServer((sock) => {
      sockets.add(sock);
      sock.on("error", () => {});
      sock.resume(); // reads (and so sees the client close), never answers
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    try {
      const busy = Array.from({ length: 256 }, () => post(url, {}, { timeoutMs: 60_000 }).catch((e: unknown) => e));
      // Every connection is open (however slow the machine) before the 257th request is made.
      while (sockets.size < 256) await new Promise((r) => setTimeout(r, 10));
      const waiting = await post(url, {}, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(waiting).toMatchObject({ code: "ETIMEDOUT", message: expect.stringMatching(/all 256 connections busy/) });
      expect(sockets.size).toBe(256);
      // The server drops them: the 256 requests end with an error, none with an answer.
      for (const sock of sockets) sock.destroy();
      for (const e of await Promise.all(busy)) expect(e).toBeInstanceOf(Error);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it("refuses header values that would split the request", async () => {
    await expect(post(`${base}/x`, {}, { headers: { authorization: "Bearer a\r\nx-injected: 1" } })).rejects.toMatchObject({ code: "EINVAL" });
    await expect(post(`${base}/x`, {}, { headers: { "bad name": "v" } })).rejects.toMatchObject({ code: "EINVAL" });
  });

  it("speaks https, checking the server's certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mandate-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"));
    const s = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_req, res) => json(res, 200, { tls: true }));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const url = `https://localhost:${(s.address() as AddressInfo).port}/x`;
    try {
      expect((await post(url, {}, { tls: { ca: cert } })).body).toEqual({ tls: true });
      // Without trusting that certificate the connection is refused.
      await expect(post(url)).rejects.toMatchObject({ message: expect.stringMatching(/^cannot reach https:\/\/localhost:\d+: /) });
    } finally {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});
