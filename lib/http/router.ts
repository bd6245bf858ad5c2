/**
 * Matches a request to a data-plane route. Unmatched paths return null so that the server can hand
 * them to Next.js (console pages, next-auth).
 */
import type { RouteDef } from "./route.ts";

interface Compiled {
  def: RouteDef<unknown, unknown>;
  re: RegExp;
  keys: string[];
}

export interface Match {
  def: RouteDef<unknown, unknown>;
  params: Record<string, string>;
}

export class Router {
  private compiled: Compiled[] = [];

  constructor(routes: RouteDef<unknown, unknown>[]) {
    for (const def of routes) {
      const keys: string[] = [];
      const pattern = def.path
        .split("/")
        .map((seg) => {
          if (seg.startsWith(":")) {
            keys.push(seg.slice(1));
            return "([^/]+)";
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("/");
      this.compiled.push({ def, re: new RegExp(`^${pattern}/?$`), keys });
    }
  }

  get routes(): RouteDef<unknown, unknown>[] {
    return this.compiled.map((c) => c.def);
  }

  /** A route, "method_not_allowed" (path known, method not), or null (not a data-plane path). */
  match(method: string, pathname: string): Match | { allowed: string[] } | null {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.re.exec(pathname);
      if (!m) continue;
      if (c.def.method !== method) {
        allowed.push(c.def.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.keys.forEach((k, i) => {
        try {
          params[k] = decodeURIComponent(m[i + 1]);
        } catch {
          params[k] = m[i + 1];
        }
      });
      return { def: c.def, params };
    }
    return allowed.length ? { allowed } : null;
  }
}
