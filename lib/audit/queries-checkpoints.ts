/**
 * Read side of signed checkpoints and chains for the console: the latest checkpoints (the database
 * copy; `audit verify` checks the signed file outside the database) and each chain's head and node.
 */
import { getPool } from "../db/pool.ts";
import type { Nullable, Row, WithJson } from "../db/rows.ts";

export interface CheckpointRow {
  id: string;
  createdAt: string;
  keyId: string;
  signature: string;
  heads: Array<{ chain_id: string; seq: number; hash: string }>;
}

export async function listCheckpoints(limit = 10): Promise<CheckpointRow[]> {
  const r = await getPool().query<
    WithJson<Row<"audit_checkpoints", "id" | "created_at" | "key_id" | "signature" | "heads">, { heads: CheckpointRow["heads"] | null }>
  >(`SELECT id, created_at, key_id, signature, heads FROM audit_checkpoints ORDER BY created_at DESC LIMIT $1`, [limit]);
  return r.rows.map((x) => ({ id: x.id, createdAt: x.created_at.toISOString(), keyId: x.key_id, signature: x.signature, heads: x.heads ?? [] }));
}

export interface ChainRow {
  id: string;
  node: string;
  startedAt: string;
  headSeq: number;
  lastAt: string | null;
}

export async function listChains(): Promise<ChainRow[]> {
  const r = await getPool().query<Row<"audit_chains", "id" | "node" | "started_at"> & Nullable<Row<"audit_entries", "seq" | "created_at">>>(
    `SELECT c.id, c.node, c.started_at, h.seq, h.created_at FROM audit_chains c
       LEFT JOIN LATERAL (SELECT seq, created_at FROM audit_entries e WHERE e.chain_id = c.id ORDER BY seq DESC LIMIT 1) h ON true
      ORDER BY c.started_at`,
  );
  return r.rows.map((x) => ({
    id: x.id,
    node: x.node,
    startedAt: x.started_at.toISOString(),
    headSeq: Number(x.seq ?? 0),
    lastAt: x.created_at ? x.created_at.toISOString() : null,
  }));
}
