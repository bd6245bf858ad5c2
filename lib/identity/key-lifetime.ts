/**
 * How long a static credential may live (issue 20 §2). Every kind has a default and a maximum that no
 * request can exceed (MANDATE_MAX_KEY_DAYS, or the kind's own setting); "never" is not a lifetime.
 * Keys stored before the maximum existed (PEP keys that never expire, keys beyond a lowered maximum) are
 * not changed: they keep working until their own expiry and the NHI inventory flags them
 * (lib/identity/nhi-inventory.ts).
 */
import { env } from "../env.ts";
import { MandateError } from "../errors.ts";

export type StaticKeyKind = "agent_key" | "personal_token" | "pep_key";

export const DEFAULT_KEY_DAYS: Record<StaticKeyKind, number> = { agent_key: 90, personal_token: 90, pep_key: 365 };

const SETTING: Record<StaticKeyKind, string> = {
  agent_key: "MANDATE_MAX_AGENT_KEY_DAYS",
  personal_token: "MANDATE_MAX_TOKEN_DAYS",
  pep_key: "MANDATE_MAX_PEP_KEY_DAYS",
};
const NOUN: Record<StaticKeyKind, string> = { agent_key: "agent API keys", personal_token: "personal API tokens", pep_key: "PEP keys" };

export interface KeyLimits {
  maxDays: Record<StaticKeyKind, number>;
  /** The setting each maximum came from (named in refusals). */
  setting: Record<StaticKeyKind, string>;
}

export function keyLimits(): KeyLimits {
  const e = env();
  const own = { agent_key: e.MANDATE_MAX_AGENT_KEY_DAYS, personal_token: e.MANDATE_MAX_TOKEN_DAYS, pep_key: e.MANDATE_MAX_PEP_KEY_DAYS };
  const kinds = Object.keys(own) as StaticKeyKind[];
  return {
    maxDays: Object.fromEntries(kinds.map((k) => [k, own[k] ?? e.MANDATE_MAX_KEY_DAYS])) as Record<StaticKeyKind, number>,
    setting: Object.fromEntries(kinds.map((k) => [k, own[k] === undefined ? "MANDATE_MAX_KEY_DAYS" : SETTING[k]])) as Record<StaticKeyKind, string>,
  };
}

/** The default lifetime of a kind: its usual default, never beyond its maximum. */
export function defaultKeyDays(kind: StaticKeyKind, limits: KeyLimits = keyLimits()): number {
  return Math.min(DEFAULT_KEY_DAYS[kind], limits.maxDays[kind]);
}

/**
 * The expiry of a new key of `kind` asked to live `requested` days (undefined: the default). A lifetime
 * that is not a whole number of days from 1 to the maximum, or "never" (null), is refused with a 400
 * naming the maximum; nothing is rounded or capped behind the caller's back.
 */
export function keyExpiry(kind: StaticKeyKind, requested: number | null | undefined, now = Date.now(), limits: KeyLimits = keyLimits()): Date {
  const max = limits.maxDays[kind];
  const days = requested === undefined ? defaultKeyDays(kind, limits) : requested;
  if (days === null)
    throw new MandateError(
      400,
      "key_lifetime_required",
      `${NOUN[kind]} must expire: give expires_in_days from 1 to ${max} (the maximum, ${limits.setting[kind]})`,
      [{ path: "expires_in_days", message: `at most ${max} days; "never" is not allowed` }],
    );
  if (!Number.isInteger(days) || days < 1)
    throw new MandateError(400, "invalid_request", `expires_in_days must be a whole number of days from 1 to ${max}`, [
      { path: "expires_in_days", message: `a whole number from 1 to ${max}` },
    ]);
  if (days > max)
    throw new MandateError(
      400,
      "key_lifetime_exceeded",
      `${NOUN[kind]} live at most ${max} days on this deployment (${limits.setting[kind]}); ${days} was asked`,
      [{ path: "expires_in_days", message: `at most ${max} days` }],
    );
  return new Date(now + days * 86_400_000);
}

/** The longest overlap of a rotation: both keys work at most this long. */
export const MAX_OVERLAP_S = 7 * 86_400;
export const DEFAULT_OVERLAP_S = 86_400;

/**
 * When a rotated key stops working: now + `overlapSeconds` (default one day, 0 to MAX_OVERLAP_S), and
 * never later than the key's own expiry.
 */
export function overlapEnd(currentExpiry: Date | null, overlapSeconds: number | undefined, now = Date.now()): Date {
  const s = overlapSeconds ?? DEFAULT_OVERLAP_S;
  if (!Number.isInteger(s) || s < 0 || s > MAX_OVERLAP_S)
    throw new MandateError(400, "invalid_overlap", `overlap_seconds must be a whole number from 0 to ${MAX_OVERLAP_S} (7 days)`, [
      { path: "overlap_seconds", message: `from 0 to ${MAX_OVERLAP_S}` },
    ]);
  const end = now + s * 1000;
  return new Date(currentExpiry ? Math.min(currentExpiry.getTime(), end) : end);
}
