/**
 * Signed checkpoints: every chain's head (sequence and hash) at a moment, signed with an Ed25519 key
 * that lives outside the database (`<data dir>/checkpoint-key.pem`, mode 0600), appended to a sink
 * outside the database (`<data dir>/checkpoints.jsonl`; optionally POSTed to a webhook) and copied into
 * the audit_checkpoints table for the console. Someone who can rewrite or truncate the database still
 * cannot make its history agree with checkpoints they cannot sign.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { canonicalJson } from "../util/canonical-json.ts";
import { logger } from "../telemetry/log.ts";

export interface ChainHead {
  chain_id: string;
  seq: number;
  hash: string;
}

export interface Checkpoint {
  id: string;
  created_at: string;
  heads: ChainHead[];
  key_id: string;
  signature: string;
}

export function checkpointPaths(dataDir: string) {
  return {
    key: join(dataDir, "checkpoint-key.pem"),
    file: join(dataDir, "checkpoints.jsonl"),
  };
}

export function loadCheckpointKey(dataDir: string, create: boolean): { privateKey: KeyObject | null; publicKey: KeyObject; keyId: string } | null {
  const { key } = checkpointPaths(dataDir);
  if (!existsSync(key)) {
    if (!create) return null;
    mkdirSync(dataDir, { recursive: true });
    const pair = generateKeyPairSync("ed25519");
    writeFileSync(key, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  }
  const privateKey = createPrivateKey(readFileSync(key));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: checkpointKeyId(publicKey) };
}

/** A checkpoint key's id: `ed25519:` and the first 16 base64url characters of its raw public key. */
export function checkpointKeyId(publicKey: KeyObject): string {
  return `ed25519:${Buffer.from(publicKey.export({ type: "spki", format: "der" }))
    .subarray(-32)
    .toString("base64url")
    .slice(0, 16)}`;
}

export async function currentHeads(): Promise<ChainHead[]> {
  const r = await getPool().query<Row<"audit_entries", "chain_id" | "seq" | "hash">>(
    `SELECT c.id AS chain_id, h.seq, h.hash FROM audit_chains c
       CROSS JOIN LATERAL (SELECT seq, hash FROM audit_entries e WHERE e.chain_id = c.id ORDER BY seq DESC LIMIT 1) h
      ORDER BY c.id`,
  );
  return r.rows.map((x) => ({ chain_id: x.chain_id, seq: Number(x.seq), hash: x.hash }));
}

export function signCheckpoint(body: Omit<Checkpoint, "signature">, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(body)), privateKey).toString("base64url");
}

export function verifyCheckpointSignature(cp: Checkpoint, publicKey: KeyObject): boolean {
  const { signature, ...body } = cp;
  try {
    return verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/** The last signed sequence number of each chain, as this process signed it. */
const lastSigned = new Map<string, number>();

/**
 * Writes a checkpoint now. `heads`: sign these (a node's own chains, from memory: no query), else
 * every chain's head as stored. With onlyIfChanged, only chains whose head moved since this process
 * last signed it are included, and nothing is written when none moved.
 */
export async function writeCheckpoint(
  dataDir: string,
  opts: { onlyIfChanged?: boolean; webhook?: string; heads?: ChainHead[] } = {},
): Promise<Checkpoint | null> {
  const key = loadCheckpointKey(dataDir, true)!;
  let heads = opts.heads ?? (await currentHeads());
  if (opts.onlyIfChanged) heads = heads.filter((h) => h.seq > (lastSigned.get(h.chain_id) ?? 0));
  if (opts.onlyIfChanged && !heads.length) return null;
  const body = { id: randomUUID(), created_at: new Date().toISOString(), heads, key_id: key.keyId };
  const cp: Checkpoint = { ...body, signature: signCheckpoint(body, key.privateKey!) };
  appendFileSync(checkpointPaths(dataDir).file, JSON.stringify(cp) + "\n", { mode: 0o600 });
  for (const h of heads) if (h.seq > (lastSigned.get(h.chain_id) ?? 0)) lastSigned.set(h.chain_id, h.seq);
  await getPool()
    .query(`INSERT INTO audit_checkpoints (id, created_at, heads, signature, key_id) VALUES ($1, $2, $3, $4, $5)`, [
      cp.id,
      cp.created_at,
      JSON.stringify(cp.heads),
      cp.signature,
      cp.key_id,
    ])
    .catch((err: Error) => {
      throw new Error(`checkpoint ${cp.id} is in ${checkpointPaths(dataDir).file}, but its copy in the database failed: ${err.message}`);
    });
  if (opts.webhook) {
    void fetch(opts.webhook, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(cp),
      signal: AbortSignal.timeout(5000),
    }).catch((err) => logger.warn("checkpoint webhook delivery failed", { component: "checkpoint", err }));
  }
  return cp;
}

/**
 * The checkpoints in the file. A line that does not parse is reported; only the last line may be torn
 * (a node killed while appending), and that one is only noted.
 */
export function readCheckpoints(dataDir: string): { checkpoints: Checkpoint[]; problems: string[]; notes: string[] } {
  const { file } = checkpointPaths(dataDir);
  const out = { checkpoints: [] as Checkpoint[], problems: [] as string[], notes: [] as string[] };
  if (!existsSync(file)) return out;
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const last = lines.findLastIndex((l) => l.trim() !== "");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.checkpoints.push(JSON.parse(line) as Checkpoint);
    } catch {
      if (i === last && !text.endsWith("\n")) out.notes.push(`line ${i + 1} of ${file} is incomplete (written when a node stopped abruptly): ignored`);
      else out.problems.push(`line ${i + 1} of ${file} is not a checkpoint`);
    }
  });
  return out;
}
