/** Policy versions of a store for the console. */
import type { PolicyVersion } from "../db/generated/client.ts";
import { getPool } from "../db/pool.ts";
import { db } from "../db/prisma.ts";
import type { Row } from "../db/rows.ts";
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

type Version = Omit<PolicyVersion, "storeId">;
const LISTED = { id: true, version: true, status: true, author: true, note: true, createdAt: true, publishedAt: true, publishedBy: true, tests: true } as const;

function row(r: Omit<Version, "text">): VersionRow {
  return {
    id: r.id,
    version: r.version,
    status: r.status as VersionRow["status"],
    author: r.author,
    note: r.note,
    createdAt: iso(r.createdAt)!,
    publishedAt: iso(r.publishedAt),
    publishedBy: r.publishedBy,
    testCount: Array.isArray(r.tests) ? r.tests.length : 0,
  };
}

function detail(r: Version | null): VersionDetail | null {
  if (!r) return null;
  const tests = policyTestSuite.safeParse(r.tests ?? []);
  return { ...row(r), text: r.text, tests: tests.success ? tests.data : [] };
}

export async function listVersions(storeId: string, limit = 200): Promise<VersionRow[]> {
  const versions = await db().policyVersion.findMany({ where: { storeId }, select: LISTED, orderBy: { version: "desc" }, take: limit });
  return versions.map(row);
}

export async function getVersion(storeId: string, version: number): Promise<VersionDetail | null> {
  return detail(await db().policyVersion.findUnique({ where: { storeId_version: { storeId, version } } }));
}

export async function activeVersion(storeId: string): Promise<VersionDetail | null> {
  return detail(await db().policyVersion.findFirst({ where: { storeId, status: "active" } }));
}

/** The newest draft saved after the active version was published, if any (what the editor opens). */
export async function latestDraft(storeId: string): Promise<VersionDetail | null> {
  const r = await getPool().query<Row<"policy_versions">>(
    `SELECT d.* FROM policy_versions d WHERE d.store_id = $1 AND d.status = 'draft'
        AND d.version > COALESCE((SELECT max(version) FROM policy_versions WHERE store_id = $1 AND status = 'active'), 0)
      ORDER BY d.version DESC LIMIT 1`,
    [storeId],
  );
  const d = r.rows[0];
  return d
    ? detail({
        id: d.id,
        version: d.version,
        status: d.status,
        author: d.author,
        note: d.note,
        createdAt: d.created_at,
        publishedAt: d.published_at,
        publishedBy: d.published_by,
        tests: d.tests,
        text: d.text,
      })
    : null;
}
