// A data-plane worker of a node (node:cluster, forked by server/cluster-primary.ts): registers tsx so
// the TypeScript sources run as they are, as bin/mandate.mjs does, then runs server/cluster-worker.ts.
// A worker that cannot start (PostgreSQL unreachable) says why in one line and exits; the primary forks
// another after its back-off.
import { register } from "tsx/esm/api";

register();
const { runWorker } = await import("./cluster-worker.ts");
try {
  await runWorker();
} catch (err) {
  const { logger } = await import("../lib/telemetry/log.ts");
  logger.error(`a data-plane worker could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
