/**
 * The client address of a console request, as the node's own HTTP server sees it. server/main.ts
 * stamps it on every request it hands to Next.js (`x-mandate-client-address`, replacing whatever the
 * client sent under that name), and the sign-in code reads it back from the request headers: Next's
 * route handlers do not expose the socket. X-Forwarded-For is used only when the direct peer is one of
 * MANDATE_TRUSTED_PROXIES; otherwise anyone could claim any address and escape per-source throttling.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { env } from "../env.ts";

export const CLIENT_ADDRESS_HEADER = "x-mandate-client-address";

/** "::ffff:1.2.3.4" (an IPv4 client on a dual-stack socket) is 1.2.3.4; anything else as given. */
export function normaliseAddress(a: string): string {
  const s = a.trim();
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  return m ? m[1] : s.toLowerCase();
}

/** MANDATE_TRUSTED_PROXIES: comma-separated addresses of reverse proxies in front of the node. */
export function parseTrustedProxies(spec: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const raw of (spec ?? "").split(",")) {
    const a = raw.trim();
    if (!a) continue;
    if (!isIP(a)) throw new Error(`MANDATE_TRUSTED_PROXIES: "${a}" is not an IP address`);
    out.add(normaliseAddress(a));
  }
  return out;
}

/**
 * The direct peer, or — when the peer is a trusted proxy — the nearest X-Forwarded-For hop that is
 * not itself a trusted proxy (hops are read from the right: the left part is whatever the client sent).
 */
export function clientAddressOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: Set<string>): string {
  const direct = peer ? normaliseAddress(peer) : "unknown";
  if (!trusted.has(direct) || !forwardedFor) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((h) => normaliseAddress(h))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) return direct; // a malformed hop: do not guess, count the proxy
    if (!trusted.has(hops[i])) return hops[i];
  }
  return direct;
}

let trusted: Set<string> | null = null;

/**
 * Sets the client-address header on a request about to be handed to Next.js. `peer`: the TCP peer of the
 * node's listener when the request was proxied to this process by a data-plane worker of the node.
 */
export function stampClientAddress(req: IncomingMessage, peer = req.socket.remoteAddress): void {
  trusted ??= parseTrustedProxies(env().MANDATE_TRUSTED_PROXIES); // validated at start-up (lib/env.ts)
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddressOf(peer, req.headers["x-forwarded-for"], trusted);
}

/** The client address of a data-plane request (its TCP peer, or X-Forwarded-For behind a trusted proxy). */
export function requestAddress(req: IncomingMessage): string {
  trusted ??= parseTrustedProxies(env().MANDATE_TRUSTED_PROXIES);
  return clientAddressOf(req.socket?.remoteAddress, req.headers["x-forwarded-for"], trusted);
}

/**
 * What failures are counted under for one address: an IPv4 address as is, an IPv6 address by its /64
 * (one host usually has a whole /64 to pick addresses from).
 */
export function sourceKey(address: string): string {
  const a = normaliseAddress(address);
  if (isIP(a) !== 6) return a;
  const [head, tail] = a.split("%")[0].split("::");
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const width = (gs: string[]) => gs.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0); // a trailing IPv4 part is two groups
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const full = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - width(h) - width(t))).fill("0"), ...t];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
