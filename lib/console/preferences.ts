/**
 * A console user's display preferences, stored server-side per user, so each choice follows the user to
 * every browser and the server renders the page in it (no hydration mismatch): the zone times are shown
 * in (users.display_time_zone) and the approvals page's layout (users.approvals_view).
 */
import { z } from "zod";
import { getPool } from "../db/pool.ts";
import { isDisplayZone, UTC } from "./time.ts";

/** The approvals page's layouts: cards with the full context, or the compact table for volume. */
export const APPROVALS_VIEWS = ["cards", "table"] as const;
export type ApprovalsView = (typeof APPROVALS_VIEWS)[number];

export const preferencesSchema = z
  .object({
    /** "UTC", or the IANA zone of the browser for "local" (Intl.DateTimeFormat().resolvedOptions().timeZone). */
    time_zone: z.string().max(64).refine(isDisplayZone, 'a time zone: "UTC" or an IANA zone name such as "Europe/Berlin"').optional(),
    approvals_view: z.enum(APPROVALS_VIEWS).optional(),
  })
  .strict()
  .refine((p) => p.time_zone !== undefined || p.approvals_view !== undefined, "name at least one preference: time_zone or approvals_view");
export type Preferences = z.infer<typeof preferencesSchema>;

/**
 * Stores the preferences given, leaving the others as they are ("UTC" is stored as NULL, the default,
 * and so is "cards"); answers what is stored now.
 */
export async function setPreferences(userId: string, p: Preferences): Promise<{ time_zone: string; approvals_view: ApprovalsView }> {
  const r = await getPool().query<{ display_time_zone: string | null; approvals_view: string | null }>(
    `UPDATE users SET display_time_zone = CASE WHEN $2 THEN $3 ELSE display_time_zone END,
                      approvals_view = CASE WHEN $4 THEN $5 ELSE approvals_view END
      WHERE id = $1 RETURNING display_time_zone, approvals_view`,
    [
      userId,
      p.time_zone !== undefined,
      p.time_zone === UTC ? null : (p.time_zone ?? null),
      p.approvals_view !== undefined,
      p.approvals_view === "table" ? "table" : null,
    ],
  );
  const u = r.rows[0];
  return { time_zone: u?.display_time_zone ?? UTC, approvals_view: u?.approvals_view === "table" ? "table" : "cards" };
}
