/** Policy versions of a store for the console. */
import { getPool } from "../db/pool.ts";
import { policyTestSuite, type PolicyTestCase } from "../policy/tests.ts";
import { iso } from "./format.ts";

export interface VersionRow {
  id: string;
  version: number;
  status: "draft" | "active" | "shadow" | "archived";
  author: string;
  note: string | null;
  createdAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
  testCount: number;
}

export interface VersionDetail extends VersionRow {
  text: string;
  tests: PolicyTestCase[];
}


function row(r: Record<string, any>): VersionRow {
  return {
    id: r.id, version: r.version, status: r.status, author: r.author, note: r.note, createdAt: iso(r.created_at)!,
    publishedAt: iso(r.published_at), publishedBy: r.published_by, testCount: Array.isArray(r.tests) ? r.tests.length : 0,
  };
}

function detail(r: Record<string, any> | undefined): VersionDetail | null {
  if (!r) return null;
  const tests = policyTestSuite.safeParse(r.tests ?? []);
  return { ...row(r), text: r.text, tests: tests.success ? tests.data : [] };
}

export async function listVersions(storeId: string, limit = 200): Promise<VersionRow[]> {
  const r = await getPool().query(
    `SELECT id, version, status, author, note, created_at, published_at, published_by, tests FROM policy_versions WHERE store_id = $1 ORDER BY version DESC LIMIT $2`,
    [storeId, limit],
  );
  return r.rows.map(row);
}

export async function getVersion(storeId: string, version: number): Promise<VersionDetail | null> {
  const r = await getPool().query(`SELECT * FROM policy_versions WHERE store_id = $1 AND version = $2`, [storeId, version]);
  return detail(r.rows[0]);
}

export async function activeVersion(storeId: string): Promise<VersionDetail | null> {
  const r = await getPool().query(`SELECT * FROM policy_versions WHERE store_id = $1 AND status = 'active' LIMIT 1`, [storeId]);
  return detail(r.rows[0]);
}

/** The newest draft saved after the active version was published, if any (what the editor opens). */
export async function latestDraft(storeId: string): Promise<VersionDetail | null> {
  const r = await getPool().query(
    `SELECT d.* FROM policy_versions d WHERE d.store_id = $1 AND d.status = 'draft'
        AND d.version > COALESCE((SELECT max(version) FROM policy_versions WHERE store_id = $1 AND status = 'active'), 0)
      ORDER BY d.version DESC LIMIT 1`,
    [storeId],
  );
  return detail(r.rows[0]);
}
