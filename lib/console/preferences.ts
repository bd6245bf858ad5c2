/**
 * A console user's display preferences, stored server-side per user (users.display_time_zone), so the
 * choice follows the user to every browser and the server renders times in it (no hydration mismatch).
 */
import { z } from "zod";
import { getPool } from "../db/pool.ts";
import { isDisplayZone, UTC } from "./time.ts";

export const preferencesSchema = z
  .object({
    /** "UTC", or the IANA zone of the browser for "local" (Intl.DateTimeFormat().resolvedOptions().timeZone). */
    time_zone: z.string().max(64).refine(isDisplayZone, 'a time zone: "UTC" or an IANA zone name such as "Europe/Berlin"'),
  })
  .strict();
export type Preferences = z.infer<typeof preferencesSchema>;

/** Stores the user's display zone ("UTC" is stored as NULL, the default). */
export async function setPreferences(userId: string, p: Preferences): Promise<Preferences> {
  await getPool().query("UPDATE users SET display_time_zone = $2 WHERE id = $1", [userId, p.time_zone === UTC ? null : p.time_zone]);
  return { time_zone: p.time_zone };
}
