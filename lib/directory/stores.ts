/**
 * Read side of the console's Directory page: the policy stores with their active version and size.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";

export interface StoreSummary {
  id: string;
  name: string;
  description: string | null;
  activeVersion: number | null;
  entities: number;
  pepKeys: number;
}

export async function listStores(): Promise<StoreSummary[]> {
  const r = await getPool().query<
    Row<"policy_stores", "id" | "name" | "description"> & { active_version: Col<"policy_versions", "version"> | null; entities: number; pep_keys: number }
  >(
    `SELECT s.id, s.name, s.description,
            (SELECT max(version) FROM policy_versions v WHERE v.store_id = s.id AND v.status = 'active') AS active_version,
            (SELECT count(*) FROM directory_entities d WHERE d.store_id = s.id)::int AS entities,
            (SELECT count(*) FROM pep_keys k WHERE k.store_id = s.id AND k.revoked_at IS NULL)::int AS pep_keys
       FROM policy_stores s ORDER BY s.id = 'mcp' DESC, s.id`,
  );
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    description: x.description,
    activeVersion: x.active_version,
    entities: x.entities,
    pepKeys: x.pep_keys,
  }));
}
