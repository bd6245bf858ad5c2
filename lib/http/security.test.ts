import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { consolePolicy, fromSameOrigin, hasSessionCookie } from "./security.ts";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const PUBLIC = "http://127.0.0.1:3000";

describe("fromSameOrigin", () => {
  it("believes Sec-Fetch-Site when the browser sends it", () => {
    expect(fromSameOrigin(req({ "sec-fetch-site": "same-origin" }), PUBLIC)).toBe(true);
    for (const site of ["same-site", "cross-site", "none"])
      expect(fromSameOrigin(req({ "sec-fetch-site": site, origin: PUBLIC, host: "127.0.0.1:3000" }), PUBLIC)).toBe(false);
  });
  it("otherwise compares Origin with the public origin, or with the Host under the public scheme", () => {
    expect(fromSameOrigin(req({ origin: PUBLIC }), PUBLIC)).toBe(true);
    expect(fromSameOrigin(req({ origin: "http://localhost:3000", host: "localhost:3000" }), PUBLIC)).toBe(true);
    expect(fromSameOrigin(req({ origin: "http://localhost:3001", host: "localhost:3000" }), PUBLIC)).toBe(false);
    expect(fromSameOrigin(req({ origin: "https://localhost:3000", host: "localhost:3000" }), PUBLIC)).toBe(false);
    expect(fromSameOrigin(req({ origin: "http://127.0.0.1:3001", host: "127.0.0.1:3000" }), PUBLIC)).toBe(false);
    // Behind a TLS proxy that rewrites Host: the public URL decides.
    expect(fromSameOrigin(req({ origin: "https://mandate.example.com", host: "10.0.0.5:3000" }), "https://mandate.example.com")).toBe(true);
    expect(fromSameOrigin(req({ origin: "https://mandate.example.com", host: "mandate.example.com" }), "https://mandate.example.com/")).toBe(true);
    expect(fromSameOrigin(req({ origin: "http://mandate.example.com", host: "mandate.example.com" }), "https://mandate.example.com")).toBe(false);
  });
  it("refuses no Origin, an opaque one and garbage", () => {
    expect(fromSameOrigin(req({}), PUBLIC)).toBe(false);
    expect(fromSameOrigin(req({ origin: "null", host: "null" }), PUBLIC)).toBe(false);
    expect(fromSameOrigin(req({ origin: "not a url", host: "127.0.0.1:3000" }), PUBLIC)).toBe(false);
  });
});

describe("hasSessionCookie", () => {
  it("finds next-auth's session cookie, secure and chunked forms included", () => {
    for (const c of [
      "next-auth.session-token=a",
      "x=1; next-auth.session-token=a",
      "__Secure-next-auth.session-token=a",
      "next-auth.session-token.0=a; next-auth.session-token.1=b",
    ])
      expect(hasSessionCookie(req({ cookie: c })), c).toBe(true);
    for (const c of ["next-auth.csrf-token=a", "next-auth.callback-url=x", "session-token", ""]) expect(hasSessionCookie(req({ cookie: c })), c).toBe(false);
  });
});

describe("consolePolicy", () => {
  it("allows scripts only by nonce (eval only in development) and forbids framing, plugins and foreign forms", () => {
    const p = consolePolicy("abc");
    expect(p).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic';");
    expect(p).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(consolePolicy("abc", true)).toMatch(/script-src[^;]*'unsafe-eval'/);
    for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "connect-src 'self'", "img-src 'self' data:"])
      expect(p).toContain(d);
  });
});
