/**
 * Builds the console once before the specs (Mandate serves the production build). Set
 * MANDATE_E2E_SKIP_BUILD=1 to reuse an existing .next build. The build is serialised with a lock file
 * so that parallel runs on one checkout do not write .next at the same time.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export default function globalSetup(): void {
  const root = join(import.meta.dirname, "..", "..");
  if (process.env.MANDATE_E2E_SKIP_BUILD === "1" && existsSync(join(root, ".next", "BUILD_ID"))) return;
  const next = join(root, "node_modules", "next", "dist", "bin", "next");
  const cmd = existsSync("/usr/bin/flock") ? ["/usr/bin/flock", ["/tmp/mandate-next-build.lock", process.execPath, next, "build"]] as const : [process.execPath, [next, "build"]] as const;
  const r = spawnSync(cmd[0], [...cmd[1]], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) throw new Error("next build failed");
}
