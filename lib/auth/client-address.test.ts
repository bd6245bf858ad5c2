import { describe, expect, it } from "vitest";
import { clientAddressOf, normaliseAddress, parseTrustedProxies, sourceKey } from "./client-address.ts";

describe("client address", () => {
  it("is the socket's peer; X-Forwarded-For counts for nothing unless the peer is a trusted proxy", () => {
    expect(clientAddressOf("127.0.0.7", "203.0.113.9", new Set())).toBe("127.0.0.7");
    expect(clientAddressOf("::ffff:192.0.2.1", undefined, new Set())).toBe("192.0.2.1");
    expect(clientAddressOf(undefined, "203.0.113.9", new Set())).toBe("unknown");
  });

  it("behind trusted proxies: the nearest hop that is not a trusted proxy, read from the right", () => {
    const trusted = parseTrustedProxies("10.0.0.1, 10.0.0.2");
    expect(clientAddressOf("10.0.0.1", "198.51.100.7", trusted)).toBe("198.51.100.7");
    // The client wrote a fake first hop; the proxies appended the real one and themselves.
    expect(clientAddressOf("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.2", trusted)).toBe("198.51.100.7");
    expect(clientAddressOf("10.0.0.1", ["1.2.3.4", "198.51.100.7"], trusted)).toBe("198.51.100.7");
    // A malformed hop: the proxy itself is the source (no guessing).
    expect(clientAddressOf("10.0.0.1", "1.2.3.4, not-an-ip", trusted)).toBe("10.0.0.1");
    expect(clientAddressOf("10.0.0.1", "10.0.0.2", trusted)).toBe("10.0.0.1");
    expect(() => parseTrustedProxies("10.0.0.1,proxy.local")).toThrow(/not an IP address/);
  });

  it("counts IPv4 addresses one by one and IPv6 addresses by their /64", () => {
    expect(sourceKey("192.0.2.1")).toBe("192.0.2.1");
    expect(sourceKey("2001:db8:aa:bb:1:2:3:4")).toBe("2001:db8:aa:bb::/64");
    expect(sourceKey("2001:DB8:aa:bb::9")).toBe("2001:db8:aa:bb::/64");
    expect(sourceKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(sourceKey("::1")).toBe("0:0:0:0::/64");
    expect(sourceKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
    expect(sourceKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(sourceKey("unknown")).toBe("unknown");
    expect(normaliseAddress("::FFFF:10.1.2.3")).toBe("10.1.2.3");
  });
});
