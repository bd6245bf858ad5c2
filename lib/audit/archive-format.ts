/**
 * The audit archive format (docs/audit-format.md, "Retention and archives"). `mandate audit archive`
 * seals one month partition into two files in the archive directory:
 *
 *   audit_entries_pYYYYMM.ndjson.gz     one entry per line: a JSON array of its 15 columns in COLUMNS order,
 *                                       each as PostgreSQL's text (UTC timestamps), sorted by chain_id, seq
 *   audit_entries_pYYYYMM.manifest.json  ArchiveManifest: the file's SHA-256, per chain the seq range and
 *                                       first/last hash, the signed checkpoint over each chain's last
 *                                       archived entry, and an Ed25519 signature over the rest
 *
 * The lines are exactly what verify-range.mjs hashes, so an archive is verified offline by the very
 * code that verifies the live log. SegmentWalk is that check, shared by the writer (it refuses to seal a
 * segment that does not verify) and the verifier.
 */
import { sign, verify, type KeyObject } from "node:crypto";
import { join, resolve } from "node:path";
import { canonicalJson } from "../util/canonical-json.ts";
import type { Checkpoint } from "./checkpoints.ts";
import { GENESIS_HASH } from "./hash.ts";
import { entryCanonicalFromText, isoOfTimestamptz, sha256Hex } from "./verify-range.mjs";

export const ARCHIVE_FORMAT = "mandate-audit-archive/1";

export interface ArchivedChain {
  chain_id: string;
  first_seq: number;
  last_seq: number;
  /** prev_hash of the first entry: the last hash of the chain's previous archive (or the genesis hash). */
  first_prev_hash: string;
  first_hash: string;
  last_hash: string;
  entries: number;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  partition: string;
  /** [from, to) of the entries' created_at. */
  from: string;
  to: string;
  file: string;
  sha256: string;
  bytes: number;
  entries: number;
  chains: ArchivedChain[];
  /** Signed with the checkpoint key: heads = each chain's last archived entry. */
  checkpoint: Checkpoint;
  archived_at: string;
  key_id: string;
  /** Ed25519 (checkpoint key) over the canonical JSON of every other field, base64url. */
  signature: string;
}

/** The archive directory: MANDATE_AUDIT_ARCHIVE_DIR, else `<data dir>/audit-archive`. */
export function auditArchiveDir(dataDir: string): string {
  const dir = process.env.MANDATE_AUDIT_ARCHIVE_DIR;
  return dir ? resolve(dir) : join(dataDir, "audit-archive");
}

export const archiveFileName = (partition: string) => `${partition}.ndjson.gz`;
export const manifestFileName = (partition: string) => `${partition}.manifest.json`;
export const MANIFEST_SUFFIX = ".manifest.json";

export function signManifest(body: Omit<ArchiveManifest, "signature">, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(body)), privateKey).toString("base64url");
}

export function manifestSignatureValid(m: ArchiveManifest, publicKey: KeyObject): boolean {
  const { signature, ...body } = m;
  try {
    return verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(String(signature), "base64url"));
  } catch {
    return false;
  }
}

/** Where a chain continues: after `seq`, whose hash is `hash` (seq 0: the genesis). */
export interface ChainTail {
  seq: number;
  hash: string;
}

/**
 * Walks the lines of one segment (sorted by chain, then seq) and checks every entry: each chain starts
 * right after its tail (the previous archive's last entry, else the genesis), is contiguous and linked,
 * and every hash is recomputed. The first problem stops the walk.
 */
export class SegmentWalk {
  readonly chains = new Map<string, ArchivedChain>();
  entries = 0;
  problem: string | null = null;
  private current: ArchivedChain | null = null;

  constructor(
    private readonly tails: ReadonlyMap<string, ChainTail>,
    private readonly range: { from: Date; to: Date },
  ) {}

  /** One entry as text columns; false once a problem was found. */
  add(c: Array<string | null>): boolean {
    if (this.problem) return false;
    const fail = (why: string) => ((this.problem = `${c[0]}#${c[1]}: ${why}`), false);
    if (!Array.isArray(c) || c.length !== 15 || typeof c[0] !== "string" || typeof c[1] !== "string") return fail("not an entry");
    const chain = c[0];
    const seq = Number(c[1]);
    const created = new Date(isoOfTimestamptz(String(c[13])));
    if (!(created >= this.range.from && created < this.range.to)) return fail("created_at outside the segment's range");
    let at = this.current;
    if (at?.chain_id !== chain) {
      if (this.chains.has(chain) || (at && chain < at.chain_id)) return fail("entries are not sorted by chain");
      const tail = this.tails.get(chain) ?? { seq: 0, hash: GENESIS_HASH };
      if (seq !== tail.seq + 1) return fail(`entry ${tail.seq + 1} of the chain is missing (the segment starts at ${seq})`);
      if (c[2] !== tail.hash) return fail("link broken: prev_hash does not match the chain's previous entry");
      at = { chain_id: chain, first_seq: seq, last_seq: seq - 1, first_prev_hash: c[2], first_hash: String(c[3]), last_hash: c[2], entries: 0 };
      this.chains.set(chain, at);
      this.current = at;
    } else {
      if (seq !== at.last_seq + 1) return fail(`entry ${at.last_seq + 1} is missing (next is ${seq})`);
      if (c[2] !== at.last_hash) return fail("link broken: prev_hash does not match the previous entry's hash");
    }
    if (sha256Hex(entryCanonicalFromText(c)) !== c[3]) return fail("content altered: the stored hash does not match the entry's content");
    at.last_seq = seq;
    at.last_hash = String(c[3]);
    at.entries++;
    this.entries++;
    return true;
  }
}
