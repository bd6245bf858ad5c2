// A data-plane worker of a node (node:cluster, forked by server/cluster-primary.ts): registers tsx so
// the TypeScript sources run as they are, as bin/mandate.mjs does, then runs server/cluster-worker.ts.
import { register } from "tsx/esm/api";

register();
const { runWorker } = await import("./cluster-worker.ts");
await runWorker();
