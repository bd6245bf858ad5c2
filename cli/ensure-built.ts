/**
 * `mandate start` serves the production build of the console; build it on first start (or when the
 * sources are newer than the build) so that `npm install && npm start` is all a user runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

export async function ensureBuilt(): Promise<void> {
  const buildId = join(process.cwd(), ".next", "BUILD_ID");
  // Rebuild when there is no build, or when the installed dependencies are newer than it
  // (`mandate start --rebuild` is not needed after pulling: run `npm run build`).
  if (existsSync(buildId)) {
    const built = statSync(buildId).mtimeMs;
    const installed = statSync(join(process.cwd(), "package-lock.json")).mtimeMs;
    if (built > installed || process.env.MANDATE_SKIP_BUILD === "1") return;
  }
  process.stderr.write("[mandate] building the console (first start; takes about a minute)…\n");
  const r = spawnSync(process.execPath, [join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "build"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}
