/**
 * Tool and prompt names exposed by the gateway in Streamable HTTP mode, where several upstream servers
 * share one endpoint. Clients accept names matching ^[a-zA-Z0-9_-]{1,64}$, so:
 *
 *   exposed = sanitize(server) + "__" + sanitize(name)
 *
 * where sanitize replaces every character outside [a-zA-Z0-9_-] with "_". When that is longer than 64
 * characters, or collides with the exposed name of another (server, name) pair, the name becomes
 *
 *   first (64 - 9) characters of the above + "_" + first 8 hex digits of sha256(server + "\0" + name)
 *
 * The mapping is computed for the whole set at once, in sorted (server, name) order, so it is deterministic.
 * Routing never parses an exposed name: it looks it up in the table built from the last listing.
 */
import { createHash } from "node:crypto";

export const CLIENT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const SEPARATOR = "__";
const MAX = 64;

export interface QualifiedName {
  server: string;
  name: string;
}

export function sanitize(part: string): string {
  return part.replace(/[^a-zA-Z0-9_-]/g, "_");
}

export function shortHash(server: string, name: string): string {
  return createHash("sha256").update(`${server}\0${name}`).digest("hex").slice(0, 8);
}

function hashed(base: string, server: string, name: string): string {
  return `${base.slice(0, MAX - 9)}_${shortHash(server, name)}`;
}

/** Builds the exposed-name table for a set of (server, name) pairs. */
export class NameTable {
  private readonly byExposed = new Map<string, QualifiedName>();
  private readonly byQualified = new Map<string, string>();

  constructor(entries: Iterable<QualifiedName>) {
    const sorted = [...entries].sort((a, b) => (a.server === b.server ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.server < b.server ? -1 : 1));
    for (const q of sorted) {
      const key = `${q.server}\0${q.name}`;
      if (this.byQualified.has(key)) continue;
      const base = `${sanitize(q.server)}${SEPARATOR}${sanitize(q.name)}`;
      let exposed = base.length <= MAX ? base : hashed(base, q.server, q.name);
      if (this.byExposed.has(exposed)) exposed = hashed(base, q.server, q.name);
      // A hash collision on 32 bits within one gateway is astronomically unlikely; still never overwrite.
      while (this.byExposed.has(exposed)) exposed = hashed(exposed, q.server, exposed);
      this.byExposed.set(exposed, { server: q.server, name: q.name });
      this.byQualified.set(key, exposed);
    }
  }

  exposed(server: string, name: string): string | undefined {
    return this.byQualified.get(`${server}\0${name}`);
  }

  resolve(exposed: string): QualifiedName | undefined {
    return this.byExposed.get(exposed);
  }

  get size(): number {
    return this.byExposed.size;
  }
}
