export const out: { buf: Buffer; pos: number };
export const ISO_MIN_MS: number;
export const ISO_MAX_MS: number;
export function ensure(n: number): void;
export function put(bytes: Uint8Array): void;
export function putText(s: Buffer, a: number, b: number): void;
export function putUuid(s: Buffer, a: number): void;
export function putInt(n: number): void;
export function putIsoMs(ms: number): void;
/** true: written by the fast path; false: by the reference path (JSON.parse and canonicalParsedJson). */
export function putJsonb(s: Buffer, a: number, b: number): boolean;
