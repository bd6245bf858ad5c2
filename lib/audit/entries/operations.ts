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
