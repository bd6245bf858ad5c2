export class Unusual extends Error {}
/** Appends the canonical JSON of the jsonb stored as s[a..b) to canonical-bytes' `out`; throws Unusual. */
export function putJsonbRaw(s: Buffer, a: number, b: number): void;
export const PROBE: string;
export const PROBE_CANONICAL: string;
export function rawProbeMatches(bytes: Buffer): boolean;
