/**
 * Entries of operations on sessions and on the node itself: an analyst or admin terminates a session
 * (`session.terminate`, `kind = 'admin'`), and the node restarted its embedded PostgreSQL after it died
 * (`database.restarted`, `kind = 'system'`, actor `node:<node id>`).
 */
import { z } from "zod";
import { count, defineEntry, uuid } from "./define.ts";

export const SESSION_TERMINATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["session.terminate"],
  data: z.strictObject({ reason: z.string() }),
  columns: { session_id: z.string(), agent_id: uuid.nullable() },
});

export const DATABASE_RESTARTED_ENTRY = defineEntry({
  kind: "system",
  actions: ["database.restarted"],
  // `ended`: how the postmaster ended ("signal SIGKILL", "exit code 1"); `attempts` and `down_ms` until it ran again.
  data: z.strictObject({ ended: z.string(), attempts: count, down_ms: count, database: z.literal("embedded PostgreSQL") }),
  columns: { actor: z.string().startsWith("node:") },
});

/**
 * `mandate audit archive` sealed a month of the log into a file and dropped its partition (lib/audit/archive.ts):
 * the partition, its range of `created_at`, the file and its SHA-256, how many entries of how many chains,
 * and the signed checkpoint over the last archived entry of each chain.
 */
export const AUDIT_ARCHIVE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["audit.archive"],
  data: z.strictObject({
    partition: z.string(),
    from: z.string(),
    to: z.string(),
    file: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    entries: count,
    chains: count,
    checkpoint_id: uuid,
  }),
});
