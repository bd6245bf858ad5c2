/**
 * Forged requests: calling a server action directly, as a browser could without the UI (to prove that
 * hiding a button is not the only protection). The action is posted to a page that serves it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../test/support/mandate.ts";
import { PAGE_PATHS, PARAMS } from "./role-matrix.ts";

interface ManifestEntry {
  filename: string;
  exportedName: string;
  workers: Record<string, unknown>;
}

export function findAction(file: string, exportName: string): { id: string; path: string } {
  const m = JSON.parse(readFileSync(join(ROOT, ".next", "server", "server-reference-manifest.json"), "utf8")).node as Record<string, ManifestEntry>;
  const hit = Object.entries(m).find(([, e]) => e.filename === file && e.exportedName === exportName);
  if (!hit) throw new Error(`no server action ${file}#${exportName} in the build`);
  const route = Object.keys(hit[1].workers)[0].replace(/^app/, "").replace(/\/\([^)]+\)/g, "").replace(/\/page$/, "") || "/";
  return { id: hit[0], path: PAGE_PATHS[route] ?? route.replace(/\[([^\]]+)\]/g, (_, k: string) => PARAMS[k] ?? "x") };
}

/**
 * POSTs a server action with the given cookie, from the console's own origin (as the browser would:
 * a cookie-authenticated change from another origin is refused before the action, see
 * test/integration/web-security.test.ts); returns the HTTP status and the response text.
 */
export async function forgeAction(baseUrl: string, file: string, exportName: string, args: unknown[], cookie: string) {
  const a = findAction(file, exportName);
  const r = await fetch(baseUrl + a.path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: baseUrl, "next-action": a.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
    body: JSON.stringify(args),
  });
  return { status: r.status, text: await r.text() };
}
