import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { credentialKind, credentialShapeKind, hasChecksum, keyChecksum, keyIdOf, keyKind, newKey, type KeyKind } from "./keys.ts";

const KINDS: KeyKind[] = ["agent_key", "personal_token", "agent_token", "pep_key"];

/** A scanner's own check, written from docs/key-format.md alone (not with this module's helpers). */
function scannerCheck(token: string): boolean {
  const m = /^(mnd_(?:ak|pt|at|pep)_[a-z2-9]{8}_[A-Za-z0-9]{32})([A-Za-z0-9]{6})$/.exec(token);
  if (!m) return false;
  const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let n = crc32(m[1]);
  let s = "";
  do {
    s = digits[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(6, "0") === m[2];
}

describe("key format (docs/key-format.md)", () => {
  it("new keys of every kind keep their prefix and key id and carry a checksum a scanner can check offline", () => {
    for (const kind of KINDS) {
      for (let i = 0; i < 200; i++) {
        const k = newKey(kind);
        expect(k.secret.startsWith(`${k.keyId}_`)).toBe(true);
        expect(keyKind(k.secret)).toBe(kind);
        expect(keyIdOf(k.secret)).toBe(k.keyId);
        expect(hasChecksum(k.secret)).toBe(true);
        expect(scannerCheck(k.secret)).toBe(true);
        expect(k.hash).toBe(createHash("sha256").update(k.secret).digest("hex"));
      }
    }
  });

  it("keys issued before the checksum (32 base64url characters) are still recognised", () => {
    const old = [
      "mnd_ak_yhozyqmw_83MZUBvowdkS-_7091Ue3XNF4wZOfLXx",
      "mnd_pt_9bcr2f8c_flviB50c7cBTBcRdPADkc22mH3lTTOBL",
      "mnd_pep_7hq2xk4m_Zx9aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT",
    ];
    expect(old.map(keyKind)).toEqual(["agent_key", "personal_token", "pep_key"]);
    expect(old.map(hasChecksum)).toEqual([false, false, false]);
    expect(credentialKind(old[2])).toBeNull(); // a PEP key is not an API credential
    expect(old.map(credentialShapeKind)).toEqual(["agent_key", "personal_token", null]);
    for (const kind of KINDS) expect(credentialShapeKind(newKey(kind).secret)).toBe(credentialKind(newKey(kind).secret));
  });

  it("look-alikes are refused: a wrong checksum, one changed character, a changed prefix, a truncated key", () => {
    const k = newKey("agent_key").secret;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const lookAlikes = [
      flip(k, k.length - 1), // checksum
      flip(k, k.length - 10), // secret
      flip(k, 20), // secret, near the start
      k.replace("mnd_ak_", "mnd_pt_"), // prefix: the checksum covers it
      k.slice(0, -1),
      `${k}x`,
      `${k.slice(0, -6)}000000`,
      "mnd_ak_aaaaaaaa_" + "a".repeat(38),
    ];
    for (const l of lookAlikes) {
      expect(keyKind(l), l).toBeNull();
      // Shape only (for a credential already held by its hash): a look-alike of the same shape passes it.
      expect(credentialShapeKind(l), l).toBe(
        /^mnd_(ak|pt)_[a-z2-9]{8}_[A-Za-z0-9]{38}$/.test(l) ? (l.startsWith("mnd_pt_") ? "personal_token" : "agent_key") : null,
      );
      expect(scannerCheck(l), l).toBe(false);
    }
    // Random strings of the right shape almost never pass (CRC32: 1 in 2^32).
    let passed = 0;
    for (let i = 0; i < 2000; i++) if (keyKind(flip(newKey("pep_key").secret, 30))) passed++;
    expect(passed).toBe(0);
  });

  it("the checksum is CRC32 in base62, six characters, zero-padded", () => {
    expect(keyChecksum("")).toBe("000000"); // crc32("") = 0
    expect(crc32("mnd_ak_")).toBeGreaterThan(0);
    expect(keyChecksum("mnd_ak_")).toMatch(/^[0-9A-Za-z]{6}$/);
  });
});

describe("credential check in the credential cache", () => {
  it("refuses a key with a wrong checksum as malformed before any lookup (no database here)", async () => {
    const { CredentialCache } = await import("../identity/credential-cache.ts");
    const cache = new CredentialCache(3_600_000);
    const k = newKey("agent_key").secret;
    const bad = `${k.slice(0, -6)}${k.slice(-6) === "000000" ? "000001" : "000000"}`;
    expect(await cache.authenticate(bad)).toEqual({ ok: false, failure: "malformed" });
    expect(await cache.authenticate(newKey("pep_key").secret)).toEqual({ ok: false, failure: "malformed" });
    expect(await cache.authenticate("mnd_ak_short")).toEqual({ ok: false, failure: "malformed" });
    cache.stop();
  });
});
