/**
 * Credential formats (docs/key-format.md). Agent API keys, personal API tokens, federated access tokens
 * and AuthZEN PEP keys are high-entropy random strings with a recognisable prefix (so secret scanners and
 * our own redaction find them) and an embedded, non-secret key id that listings show:
 *
 *   mnd_ak_<key id>_<secret><checksum>     (keys issued since issue 20: 32 base62 + 6 base62 characters)
 *   mnd_ak_<key id>_<secret>               (earlier keys: 32 base64url characters; valid until they expire)
 *
 * The checksum is CRC32 of everything before it (prefix, key id, `_`, secret) in base62, 6 characters,
 * as GitHub's tokens carry one: a scanner tells a real key from a look-alike offline, and a key with a
 * wrong checksum is refused as malformed before any lookup. Only SHA-256 of the whole string is stored (the
 * secret has ~190 bits of entropy, so a slow hash adds nothing but latency on the hot path).
 */
import { hash, randomBytes, randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

/** `agent_token`: a short-lived access token issued for a federated workload identity (mnd_at_…). */
export type CredentialKind = "agent_key" | "personal_token" | "agent_token";
export type KeyKind = CredentialKind | "pep_key";
export const KEY_PREFIX: Record<KeyKind, string> = { agent_key: "mnd_ak_", personal_token: "mnd_pt_", agent_token: "mnd_at_", pep_key: "mnd_pep_" };

const ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"; // no l, 0, 1 (readable key ids)
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function randomId(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}
/** n base62 characters, uniformly drawn (randomInt has no modulo bias). */
function randomBase62(n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += BASE62[randomInt(62)];
  return out;
}

/** CRC32 of `body` in base62, left-padded with "0" to 6 characters (62^6 > 2^32). */
export function keyChecksum(body: string): string {
  let n = crc32(body);
  let out = "";
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(6, "0");
}

export interface NewCredential {
  /** The full secret, shown once. */
  secret: string;
  /** Non-secret identifier, e.g. mnd_ak_7hq2xk4m. */
  keyId: string;
  hash: string;
}

export function newKey(kind: KeyKind): NewCredential {
  const keyId = `${KEY_PREFIX[kind]}${randomId(8)}`;
  const body = `${keyId}_${randomBase62(32)}`;
  const secret = body + keyChecksum(body);
  return { secret, keyId, hash: hashCredential(secret) };
}

export function newCredential(kind: CredentialKind): NewCredential {
  return newKey(kind);
}

export function hashCredential(secret: string): string {
  // crypto.hash (one-shot): ~0.3 µs against ~1 µs through createHash, on every authenticated request.
  return hash("sha256", secret, "hex");
}

/** Checksummed (current) and earlier (no checksum) shapes. */
const CHECKED = /^mnd_(ak|pt|at|pep)_[a-z2-9]{8}_[A-Za-z0-9]{38}$/;
const LEGACY = /^mnd_(ak|pt|at|pep)_[a-z2-9]{8}_[A-Za-z0-9_-]{32}$/;
const KIND_OF = { ak: "agent_key", pt: "personal_token", at: "agent_token", pep: "pep_key" } as const;

/**
 * Which kind a presented key claims to be, by its shape and (for checksummed keys) its checksum; null for
 * anything else, a look-alike included. Not a verification: only the stored hash is.
 */
export function keyKind(secret: string): KeyKind | null {
  const m = CHECKED.exec(secret);
  if (m) {
    const cut = secret.length - 6;
    return keyChecksum(secret.slice(0, cut)) === secret.slice(cut) ? KIND_OF[m[1] as keyof typeof KIND_OF] : null;
  }
  const l = LEGACY.exec(secret);
  return l ? KIND_OF[l[1] as keyof typeof KIND_OF] : null;
}

/** Whether a well-formed key carries a checksum (keys issued before issue 20 do not). */
export function hasChecksum(secret: string): boolean {
  return CHECKED.test(secret) && keyKind(secret) !== null;
}

/** Which kind a presented credential (not a PEP key) claims to be (by shape only; not a verification). */
export function credentialKind(secret: string): CredentialKind | null {
  const k = keyKind(secret);
  return k === "pep_key" ? null : k;
}

/**
 * Which kind a presented credential (not a PEP key) has the shape of, its checksum not checked: for a
 * credential whose hash is then found among those already looked up (each passed `credentialKind` first).
 */
export function credentialShapeKind(secret: string): CredentialKind | null {
  const m = CHECKED.exec(secret) ?? LEGACY.exec(secret);
  const k = m ? KIND_OF[m[1] as keyof typeof KIND_OF] : null;
  return k === "pep_key" ? null : k;
}

export function keyIdOf(secret: string): string | null {
  const k = keyKind(secret);
  return k ? secret.slice(0, KEY_PREFIX[k].length + 8) : null;
}

/** A readable random password for generated accounts. */
export function newPassword(): string {
  return `${randomId(5)}-${randomId(5)}-${randomId(5)}-${randomId(5)}`;
}
