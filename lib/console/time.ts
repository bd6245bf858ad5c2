/**
 * The console's one timestamp format: `2026-12-06 04:45:34.680 UTC`, or in the user's chosen zone
 * `2026-12-06 10:15:34.680 UTC+05:30` — always the year, milliseconds and the zone (as an offset from UTC
 * at that instant, so daylight saving is visible). Pure and framework-free: given the same instant and
 * zone it returns the same text on the server and in the browser, so a page hydrates without a mismatch.
 * The zone is the user's setting (users.display_time_zone, null = UTC), never the renderer's own zone.
 */

/** The zone a timestamp is shown in: "UTC" or an IANA zone name ("Europe/Berlin"). */
export type DisplayZone = string;

export const UTC = "UTC";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: DisplayZone): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      fractionalSecondDigits: 3,
      hourCycle: "h23",
      timeZoneName: "longOffset",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is "UTC" or an IANA zone this runtime knows (a setting is refused otherwise). */
export function isDisplayZone(zone: string): boolean {
  if (zone === UTC) return true;
  if (zone.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant (ISO 8601 text or a Date) as `YYYY-MM-DD HH:mm:ss.SSS <zone>`; `zone` "UTC" (default) shows
 * "UTC", any other zone its offset at that instant ("UTC+01:00", "UTC-04:00", "UTC+00:00"). Text that is
 * not a time is returned unchanged rather than shown as a wrong time.
 */
export function formatTimestamp(at: string | Date, zone: DisplayZone = UTC): string {
  const d = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  if (zone === UTC) return `${d.toISOString().replace("T", " ").slice(0, 23)} UTC`;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(d)) parts[p.type] = p.value;
  // longOffset is "GMT+05:30", or "GMT" for a zero offset.
  const offset = parts.timeZoneName === "GMT" ? "+00:00" : parts.timeZoneName.replace(/^GMT/, "");
  const year = parts.year.padStart(4, "0");
  return `${year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond} UTC${offset}`;
}

/** The time of day of an instant in the one format's terms: `14:03:07 UTC`, `19:33:07 UTC+05:30` ("updated at"). */
export function formatClock(at: string | Date, zone: DisplayZone = UTC): string {
  const [, clock, z] = formatTimestamp(at, zone).split(" ");
  return clock && z ? `${clock.slice(0, 8)} ${z}` : String(at);
}

/** An instant as a `datetime-local` input's value (`YYYY-MM-DDTHH:mm`) in `zone`. */
export function isoToZonedInput(at: string | Date, zone: DisplayZone = UTC): string {
  return formatTimestamp(at, zone).slice(0, 16).replace(" ", "T");
}

/** A `datetime-local` value read as a wall time in `zone`, as an ISO instant (null: not a time). */
export function zonedInputToIso(value: string, zone: DisplayZone = UTC): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const wall = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  if (Number.isNaN(wall)) return null;
  // The zone's offset at the guess, applied twice so a wall time next to a daylight-saving change lands right.
  const offsetAt = (t: number) => Date.parse(`${isoToZonedInput(new Date(t), zone)}:00Z`) - Math.floor(t / 60_000) * 60_000;
  let t = wall - offsetAt(wall);
  t = wall - offsetAt(t);
  return new Date(t).toISOString();
}
