/**
 * Makes sure the console build is current before tests that serve it (Mandate serves the production
 * build): builds when .next is missing or older than any source file of app/, components/, lib/ or the
 * Next config. MANDATE_E2E_SKIP_BUILD=1 reuses whatever build exists. The build is serialised with a
 * lock file so that parallel runs on one checkout do not write .next at the same time.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "generated" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : /\.(tsx?|css|mjs)$/.test(e.name) ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

export function consoleBuildIsCurrent(): boolean {
  const buildId = join(ROOT, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(
    ...["app", "components", "lib"].map((d) => newestSource(join(ROOT, d))),
    statSync(join(ROOT, "next.config.ts")).mtimeMs,
    statSync(join(ROOT, "package-lock.json")).mtimeMs,
  );
  return built > sources;
}

export default function globalSetup(): void {
  if (existsSync(join(ROOT, ".next", "BUILD_ID")) && (process.env.MANDATE_E2E_SKIP_BUILD === "1" || consoleBuildIsCurrent())) return;
  const next = join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const [cmd, args] = existsSync("/usr/bin/flock")
    ? ["/usr/bin/flock", ["/tmp/mandate-next-build.lock", process.execPath, next, "build"]]
    : [process.execPath, [next, "build"]];
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) throw new Error("next build failed");
}
