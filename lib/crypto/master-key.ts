/**
 * Secrets at rest (JWT signing keys, webhook secrets, replay values) are encrypted with AES-256-GCM
 * under the master key from MANDATE_MASTER_KEY. With the embedded default and no variable set, a key
 * is generated once into `<data dir>/master.key` (mode 0600). The master key is never stored in the
 * database.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

let masterKey: Buffer | undefined;

function decodeKey(text: string): Buffer {
  const t = text.trim();
  const buf = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (buf.length !== 32) throw new Error("MANDATE_MASTER_KEY must decode to exactly 32 bytes");
  return buf;
}

/** Loads the master key from the environment value, or from/into the data directory. */
export function loadMasterKey(opts: { fromEnv?: string; dataDir: string; createIfMissing: boolean }): Buffer {
  if (opts.fromEnv) {
    masterKey = decodeKey(opts.fromEnv);
    return masterKey;
  }
  const file = join(opts.dataDir, "master.key");
  if (existsSync(file)) {
    masterKey = decodeKey(readFileSync(file, "utf8"));
    return masterKey;
  }
  if (!opts.createIfMissing) {
    throw new Error(`No master key: set MANDATE_MASTER_KEY or start Mandate once to create ${file}`);
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  masterKey = key;
  return key;
}

/**
 * A process-wide global (ARCHITECTURE.md, *The composition root*): the Next.js bundle loads its own copy
 * of this module, which never loads the key; it uses the one the server loaded (the server's copy
 * publishes it on first use, at the latest when the runtime's delegation keys are decrypted at start).
 */
function key(): Buffer {
  const g = globalThis as { __mandateMasterKey?: Buffer };
  if (masterKey) g.__mandateMasterKey = masterKey;
  const k = masterKey ?? g.__mandateMasterKey;
  if (!k) throw new Error("Master key not loaded");
  return k;
}

/** "v1.<iv>.<tag>.<ciphertext>" in base64url. */
export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), ct.toString("base64url")].join(".");
}

export function decryptSecret(box: string): string {
  const [v, iv, tag, ct] = box.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("Unrecognised encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
