/**
 * Policy packs: a directory per policy store with
 *   store.json (id, name, description), schema.cedarschema (or schema.json), policies.cedar,
 *   entities.json (directory entities, optional), tests.json (optional: [{name, request, expected}]).
 * A folder of such directories is a pack of several stores. Loading validates the policies against the
 * pack's schema and runs the pack's tests on the pack's entities BEFORE anything is written; then it
 * creates or updates the store (schema), imports its directory and publishes the policies as the
 * store's new active version (unless the active text is already the same). Only the pack's own stores
 * are touched; the MCP store cannot be loaded from a pack.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { z } from "zod";
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { Row } from "../db/rows.ts";
import { directoryRecord } from "../directory/values.ts";
import { entityKey, type CachedEntity } from "../directory/cache.ts";
import { importEntities, parseEntities, type DirectoryEntity, type EntityRef } from "../directory/entities.ts";
import { interpret } from "../policy/interpret.ts";
import { parsePolicySet, toStaticPolicies } from "../policy/policy-set.ts";
import { publishPolicy } from "../policy/publish.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { formatProblems, validatePolicySet } from "../policy/validate.ts";
import { mapEvaluation, type EntitySource } from "./mapping.ts";
import { isObj, parseEvaluation } from "./request.ts";
import { describeSchema, type StoreInfo } from "./stores.ts";
import { schemaJson, storeId, upsertStore } from "./store-admin.ts";

const storeFile = z.object({ id: storeId, name: z.string().min(1).max(200), description: z.string().max(2000).optional() }).passthrough();
const testCase = z.object({ name: z.string().optional(), request: z.record(z.string(), z.unknown()), expected: z.boolean() });

export interface PackStore {
  dir: string;
  id: string;
  name: string;
  description?: string;
  schema: cedar.SchemaJson<string>;
  policies: string;
  entities: DirectoryEntity[];
  tests: Array<z.infer<typeof testCase>>;
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new MandateError(400, "invalid_pack", `${file}: ${(e as Error).message}`);
  }
};

export function readPackStore(dir: string): PackStore {
  const meta = storeFile.safeParse(readJson(join(dir, "store.json")));
  if (!meta.success)
    throw new MandateError(400, "invalid_pack", `${join(dir, "store.json")}: ${meta.error.issues[0]?.path.join(".")} ${meta.error.issues[0]?.message}`);
  const human = join(dir, "schema.cedarschema");
  // schemaJson checks what schema.json holds (Cedar refuses a document that is not a schema).
  const schema = schemaJson(existsSync(human) ? readFileSync(human, "utf8") : (readJson(join(dir, "schema.json")) as Record<string, unknown>));
  const policies = readFileSync(join(dir, "policies.cedar"), "utf8");
  const entities = existsSync(join(dir, "entities.json")) ? parseEntities(readJson(join(dir, "entities.json"))) : [];
  const rawTests = existsSync(join(dir, "tests.json")) ? readJson(join(dir, "tests.json")) : [];
  const tests = z.array(testCase).parse(Array.isArray(rawTests) ? rawTests : (rawTests as { tests?: unknown }).tests);
  return { dir, id: meta.data.id, name: meta.data.name, description: meta.data.description, schema, policies, entities, tests };
}

/** The stores of a pack: `dir` itself when it has a store.json, else its sub-directories that do. */
export function readPack(dir: string): PackStore[] {
  const root = resolve(dir);
  if (existsSync(join(root, "store.json"))) return [readPackStore(root)];
  const subs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "store.json")))
    .map((d) => d.name)
    .sort();
  if (!subs.length) throw new MandateError(400, "invalid_pack", `${root}: no store.json here or in a sub-directory`);
  const stores = subs.map((s) => readPackStore(join(root, s)));
  const ids = new Set(stores.map((s) => s.id));
  if (ids.size !== stores.length) throw new MandateError(400, "invalid_pack", `${root}: two stores have the same id`);
  return stores;
}

/** An entity source over the pack's own entities (for its tests). */
export function memorySource(entities: DirectoryEntity[]): EntitySource {
  const byKey = new Map<string, CachedEntity>(
    entities.map((e) => [entityKey(e.type, e.id), { uid: { type: e.type, id: e.id }, attrs: directoryRecord(e.attrs), parents: e.parents }]),
  );
  return {
    async withAncestors(uids: EntityRef[]) {
      const out = new Map<string, CachedEntity>();
      const queue = [...uids];
      while (queue.length && out.size < 1000) {
        const u = queue.shift()!;
        const k = entityKey(u.type, u.id);
        const e = byKey.get(k);
        if (!e || out.has(k)) continue;
        out.set(k, e);
        queue.push(...e.parents);
      }
      return out;
    },
  };
}

/** Validates a pack store and runs its tests in memory; throws with every problem found. */
export async function checkPackStore(p: PackStore): Promise<{ policies: number; tests: number }> {
  const v = validatePolicySet(p.policies, p.schema);
  if (!v.valid)
    throw new MandateError(422, "policy_invalid", `${p.id}: the policies do not validate:\n${formatProblems(join(p.dir, "policies.cedar"), v.problems)}`);
  const parsed = parsePolicySet(p.policies);
  const byId = new Map(parsed.policies.map((x) => [x.id, x]));
  const store: StoreInfo = { id: p.id, name: p.name, kind: "generic", ...describeSchema(p.schema) };
  const source = memorySource(p.entities);
  const failures: string[] = [];
  for (const [i, t] of p.tests.entries()) {
    if (!isObj(t.request)) continue;
    const mapped = await mapEvaluation(store, parseEvaluation(t.request), source);
    const answer = cedar.isAuthorized({ ...mapped.call, policies: { staticPolicies: toStaticPolicies(parsed.policies) } });
    const got = interpret(answer, byId).decision === "allow";
    if (got !== t.expected) failures.push(`test ${t.name ?? i}: expected ${t.expected}, got ${got}`);
  }
  if (failures.length)
    throw new MandateError(422, "pack_tests_failed", `${p.id}: ${failures.length} of ${p.tests.length} pack test(s) failed:\n  ${failures.join("\n  ")}`);
  return { policies: v.policyCount, tests: p.tests.length };
}

export interface PackLoadResult {
  store: string;
  created: boolean;
  entities: number;
  policy: string;
  published: boolean;
  tests: number;
}

export async function loadPack(rt: NodeContext, dir: string, actor: string, opts: { replaceDirectory?: boolean } = {}): Promise<PackLoadResult[]> {
  const stores = readPack(dir);
  for (const p of stores) await checkPackStore(p); // nothing is written unless every store checks out
  const out: PackLoadResult[] = [];
  for (const p of stores) {
    const s = await upsertStore(rt, p.id, { name: p.name, description: p.description, schema: p.schema }, actor, { checkActive: false });
    const imp = await importEntities(rt, p.id, p.entities, actor, opts.replaceDirectory ? "replace" : "merge");
    const active = await getPool().query<Row<"policy_versions", "version" | "text">>(
      "SELECT version, text FROM policy_versions WHERE store_id = $1 AND status = 'active'",
      [p.id],
    );
    let label: string;
    let published = false;
    if (active.rowCount && active.rows[0].text === p.policies) label = `${p.id}@v${active.rows[0].version}`;
    else {
      const r = await publishPolicy(rt, p.id, p.policies, actor, { note: `policy pack ${p.dir}`, tests: p.tests });
      label = r.label;
      published = true;
    }
    out.push({ store: p.id, created: s.created, entities: imp.imported, policy: label, published, tests: p.tests.length });
  }
  return out;
}
