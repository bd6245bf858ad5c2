/**
 * Delegation scopes name inventory items: `tool:<server>/<name>`, `resource:<server>/<uri or URI template>`
 * and `prompt:<server>/<name>`, where the server or the name may be `*` (e.g. `tool:crm/` + `*`, or `*`
 * for both). A resource scope names the inventory entry (a URI, or the template of a family), not each
 * URI of a family. Authority only narrows: a child's scopes must each be covered by one of its parent's
 * patterns of the same kind (a `*` in the child is covered only by a `*` in the parent).
 */

export type ScopeKind = "tool" | "resource" | "prompt";

export interface ToolScope {
  kind: ScopeKind;
  server: string;
  name: string;
}

const SERVER = /^(\*|[A-Za-z0-9_.-]{1,100})$/;
const NAMES: Record<ScopeKind, RegExp> = {
  tool: /^(\*|[A-Za-z0-9_./-]{1,128})$/,
  // Printable, no space (the scope parameter is space-separated).
  resource: /^(\*|[^\s\u0000-\u001f\u007f]{1,2048})$/,
  prompt: /^(\*|[^\s\u0000-\u001f\u007f]{1,200})$/,
};
export const MAX_SCOPES = 50;

/** Parses one scope; null when it is not of the form `<kind>:<server>/<name>`. */
export function parseScope(scope: string): ToolScope | null {
  const colon = scope.indexOf(":");
  const kind = scope.slice(0, colon) as ScopeKind;
  if (colon <= 0 || !Object.hasOwn(NAMES, kind)) return null;
  const rest = scope.slice(colon + 1);
  const slash = rest.indexOf("/");
  if (slash <= 0) return null;
  const server = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  if (!SERVER.test(server) || !NAMES[kind].test(name)) return null;
  return { kind, server, name };
}

/** The space-separated `scope` parameter (RFC 6749 §3.3) as a list without duplicates. */
export function splitScopeParam(param: string | undefined): string[] {
  if (param === undefined) return [];
  return [...new Set(param.split(" ").filter((s) => s.length > 0))];
}

/** Does `parent` cover `child`? Both must be valid scopes. */
export function covers(parent: ToolScope, child: ToolScope): boolean {
  if (parent.kind !== child.kind) return false;
  const server = parent.server === "*" || parent.server === child.server;
  const name = parent.name === "*" || parent.name === child.name;
  return server && name;
}

export type NarrowResult = { ok: true; scopes: string[] } | { ok: false; error: "malformed" | "widened" | "too_many"; scopes: string[] };

/**
 * The scopes a child receives. `requested` empty means "the same as the parent". `parent` null means
 * the first hop (a human grants from their own authority: any well-formed scope is grantable).
 */
export function narrowScopes(parent: string[] | null, requested: string[]): NarrowResult {
  if (requested.length > MAX_SCOPES) return { ok: false, error: "too_many", scopes: [] };
  const malformed = requested.filter((s) => parseScope(s) === null);
  if (malformed.length) return { ok: false, error: "malformed", scopes: malformed };
  if (parent === null) return { ok: true, scopes: requested };
  if (requested.length === 0) return { ok: true, scopes: [...parent] };
  const parentScopes = parent.map(parseScope).filter((s): s is ToolScope => s !== null);
  const widened = requested.filter((s) => !parentScopes.some((p) => covers(p, parseScope(s)!)));
  if (widened.length) return { ok: false, error: "widened", scopes: widened };
  return { ok: true, scopes: requested };
}

/** Is the tool `server/name` within the scopes? */
export function scopesAllowTool(scopes: string[], server: string, name: string): boolean {
  return scopesAllow(scopes, "tool", server, name);
}

/** Is the inventory item of this kind within the scopes? */
export function scopesAllow(scopes: string[], kind: ScopeKind, server: string, name: string): boolean {
  return scopes.some((s) => {
    const p = parseScope(s);
    return p !== null && covers(p, { kind, server, name });
  });
}
