import { describe, expect, it } from "vitest";
import { forwardHeaders, PEER_HEADER, SECRET_HEADER } from "./console-proxy.ts";

describe("the headers a worker forwards to the console", () => {
  it("replaces a client's own peer address and secret, so that no client can pose as the proxy", () => {
    const h = forwardHeaders({ host: "x", [PEER_HEADER]: "203.0.113.9", [SECRET_HEADER]: "guess", cookie: "a=b" }, "127.0.0.1", "s3cret");
    expect(h).toEqual({ host: "x", cookie: "a=b", [PEER_HEADER]: "127.0.0.1", [SECRET_HEADER]: "s3cret" });
  });

  it("drops hop-by-hop headers and those the Connection header names", () => {
    const h = forwardHeaders(
      {
        host: "x",
        connection: "keep-alive, X-Private",
        "x-private": "1",
        "keep-alive": "timeout=5",
        "transfer-encoding": "chunked",
        upgrade: "h2c",
        accept: "*/*",
      },
      "::1",
      "s",
    );
    expect(Object.keys(h).sort()).toEqual(["accept", "host", PEER_HEADER, SECRET_HEADER].sort());
  });
});
