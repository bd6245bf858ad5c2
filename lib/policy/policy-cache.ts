/**
 * The active (and shadow) policy version of each policy store, parsed and prepared once per version,
 * and reloaded when the change feed announces a publish or rollback.
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { PromiseCache } from "../util/promise-cache.ts";
import type { CedarEvaluator } from "./evaluator.ts";
import { parsePolicySet, toStaticPolicies, type PolicyPart } from "./policy-set.ts";

export interface LoadedPolicy {
  storeId: string;
  versionId: string;
  version: number;
  /** Shown in responses: "<store>@v<version>". */
  label: string;
  cedarId: string;
  policies: PolicyPart[];
  byId: Map<string, PolicyPart>;
}

export interface StorePolicies {
  active: LoadedPolicy | null;
  shadow: LoadedPolicy | null;
}

export async function loadPolicyVersion(
  evaluator: CedarEvaluator,
  row: { id: string; store_id: string; version: number; text: string },
): Promise<LoadedPolicy> {
  const parsed = parsePolicySet(row.text);
  if (!parsed.ok) throw new Error(`Policy version ${row.store_id}@v${row.version} does not parse: ${parsed.problems[0]?.message}`);
  const cedarId = `${row.store_id}:${row.id}`;
  await evaluator.prepare(cedarId, toStaticPolicies(parsed.policies));
  return {
    storeId: row.store_id,
    versionId: row.id,
    version: row.version,
    label: `${row.store_id}@v${row.version}`,
    cedarId,
    policies: parsed.policies,
    byId: new Map(parsed.policies.map((p) => [p.id, p])),
  };
}

export class PolicyCache {
  private stores = new PromiseCache<StorePolicies>();
  /**
   * Versions already parsed and prepared, by version id (a version's text never changes): after the
   * caches are cleared, reading which versions are active costs one query, not a parse.
   */
  private versions = new PromiseCache<LoadedPolicy>({ max: 64 });

  constructor(private readonly evaluator: CedarEvaluator) {}

  get(storeId: string): Promise<StorePolicies> {
    return this.stores.get(storeId, () => this.load(storeId));
  }

  invalidate(storeId: string): void {
    this.stores.delete(storeId);
  }

  clear(): void {
    this.stores.clear();
  }

  private async load(storeId: string): Promise<StorePolicies> {
    const r = await getPool().query<Row<"policy_versions", "id" | "store_id" | "version" | "text" | "status">>(
      `SELECT id, store_id, version, text, status FROM policy_versions
        WHERE store_id = $1 AND status IN ('active', 'shadow') ORDER BY version DESC`,
      [storeId],
    );
    const activeRow = r.rows.find((x) => x.status === "active");
    const shadowRow = r.rows.find((x) => x.status === "shadow");
    return {
      active: activeRow ? await this.version(activeRow) : null,
      shadow: shadowRow ? await this.version(shadowRow).catch(() => null) : null,
    };
  }

  private version(row: { id: string; store_id: string; version: number; text: string }): Promise<LoadedPolicy> {
    return this.versions.get(row.id, () => loadPolicyVersion(this.evaluator, row));
  }
}
