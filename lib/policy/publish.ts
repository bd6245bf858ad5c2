/**
 * Policy versions: drafts, validation against the store's schema, publish (active or shadow) and
 * rollback. A policy set that does not validate is never published — from the console, the API or the
 * CLI, which all call publishPolicy().
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { adminAction } from "../audit/admin-action.ts";
import type { Prisma } from "../db/generated/client.ts";
import { getPool, type Queryable } from "../db/pool.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { db } from "../db/prisma.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";
import { generateMcpSchema } from "./mcp-schema.ts";
import { validatePolicySet, type ValidationResult } from "./validate.ts";
import { failingTests, TestsFailingError } from "./publish-guard.ts";
import { POLICY_DRAFT_ENTRY, POLICY_PUBLISH_ENTRY, POLICY_VERSION_ENTRY } from "../audit/entries/index.ts";

export const MCP_STORE_ID = "mcp";

/** The Cedar schema policies of a store are validated against. */
export async function storeSchema(storeId: string, q: Queryable = getPool()): Promise<cedar.SchemaJson<string>> {
  if (storeId === MCP_STORE_ID) {
    const r = await q.query<Row<"tools", "input_schema">>("SELECT input_schema FROM tools");
    return generateMcpSchema(r.rows.map((x) => ({ inputSchema: x.input_schema })));
  }
  const r = await q.query<WithJson<Row<"policy_stores", "schema">, { schema: cedar.SchemaJson<string> | null }>>(
    "SELECT schema FROM policy_stores WHERE id = $1",
    [storeId],
  );
  if (!r.rowCount) throw notFound(`policy store ${storeId}`);
  const schema = r.rows[0].schema;
  if (!schema) throw new MandateError(409, "no_schema", `policy store ${storeId} has no schema`);
  return schema;
}

export async function validateForStore(storeId: string, text: string): Promise<ValidationResult> {
  return validatePolicySet(text, await storeSchema(storeId));
}

export class PolicyInvalidError extends MandateError {
  constructor(readonly validation: ValidationResult) {
    super(
      422,
      "policy_invalid",
      `the policy set does not validate: ${validation.problems
        .slice(0, 3)
        .map((p) => `line ${p.line}:${p.column} ${p.message}`)
        .join("; ")}`,
      validation.problems.map((p) => ({ path: `line ${p.line}:${p.column}`, message: p.message })),
    );
  }
}

/** SQL: the store row is locked, so that concurrent publishes number their versions one after another. */
async function nextVersion(tx: pg.PoolClient, storeId: string): Promise<number> {
  const s = await tx.query<Row<"policy_stores", "id">>("SELECT id FROM policy_stores WHERE id = $1 FOR UPDATE", [storeId]);
  if (!s.rowCount) throw notFound(`policy store ${storeId}`);
  const r = await tx.query<{ v: Col<"policy_versions", "version"> }>("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM policy_versions WHERE store_id = $1", [
    storeId,
  ]);
  return r.rows[0].v;
}

export interface PublishOptions {
  mode?: "active" | "shadow";
  note?: string;
  tests?: unknown[];
  /** Publish although stored test cases fail (publish-guard.ts); audited with the failing cases' names. */
  overrideNote?: string;
}

export async function publishPolicy(rt: NodeContext, storeId: string, text: string, actor: string, opts: PublishOptions = {}) {
  const mode = opts.mode ?? "active";
  const validation = await validateForStore(storeId, text);
  if (!validation.valid) throw new PolicyInvalidError(validation);
  const failing = mode === "active" && storeId === MCP_STORE_ID ? await failingTests(storeId, text, opts.tests) : [];
  if (failing.length && !opts.overrideNote?.trim()) throw new TestsFailingError(failing);
  const override = failing.length ? { override_note: opts.overrideNote!.trim(), failing_tests: failing.map((f) => f.name) } : {};
  const published = await adminAction(rt, async (tx, orm) => {
    const version = await nextVersion(tx, storeId);
    const id = randomUUID();
    const now = new Date();
    await orm(async (db) => {
      await db.policyVersion.updateMany({ where: { storeId, status: mode }, data: { status: "archived" } });
      await db.policyVersion.create({
        data: {
          id,
          storeId,
          version,
          text,
          status: mode,
          author: actor,
          note: opts.note ?? null,
          tests: testsJson(opts.tests),
          createdAt: now,
          publishedAt: now,
          publishedBy: actor,
        },
        select: { id: true },
      });
    });
    return {
      result: { id, version, label: `${storeId}@v${version}`, status: mode, warnings: validation.warnings },
      audit: POLICY_PUBLISH_ENTRY.entry({
        action: mode === "shadow" ? "policy.shadow" : "policy.publish",
        actor,
        data: { store: storeId, version, version_id: id, note: opts.note ?? null, policies: validation.policyCount, ...override },
      }),
    };
  });
  await rt.applyChange("policy_versions", storeId);
  return published;
}

export async function saveDraft(rt: NodeContext, storeId: string, text: string, actor: string, opts: { note?: string; tests?: unknown[] } = {}) {
  return adminAction(rt, async (tx, orm) => {
    const version = await nextVersion(tx, storeId);
    const id = randomUUID();
    await orm((db) =>
      db.policyVersion.create({
        data: { id, storeId, version, text, status: "draft", author: actor, note: opts.note ?? null, tests: testsJson(opts.tests) },
        select: { id: true },
      }),
    );
    return { result: { id, version }, audit: POLICY_DRAFT_ENTRY.entry({ actor, data: { store: storeId, version, version_id: id } }) };
  });
}

/** Makes an earlier version active again (it must still validate against today's schema); the reason is audited. */
export async function rollbackPolicy(rt: NodeContext, storeId: string, version: number, actor: string, reason: string) {
  const target = await db().policyVersion.findUnique({ where: { storeId_version: { storeId, version } }, select: { id: true, text: true } });
  if (!target) throw notFound(`policy version ${storeId}@v${version}`);
  const validation = await validateForStore(storeId, target.text);
  if (!validation.valid) throw new PolicyInvalidError(validation);
  const rolledBack = await adminAction(rt, async (_tx, orm) => {
    await orm(async (db) => {
      await db.policyVersion.updateMany({ where: { storeId, status: "active" }, data: { status: "archived" } });
      await db.policyVersion.update({
        where: { id: target.id },
        // publishedBy stays the original publisher (the versions table shows it); who rolled back is in the audit entry.
        data: { status: "active", publishedAt: new Date() },
        select: { id: true },
      });
    });
    return {
      result: { id: target.id, version, label: `${storeId}@v${version}` },
      audit: POLICY_VERSION_ENTRY.entry({ action: "policy.rollback", actor, data: { store: storeId, version, reason } }),
    };
  });
  await rt.applyChange("policy_versions", storeId);
  return rolledBack;
}

/** Test cases as stored (a json column): what the caller passed, [] when none. */
function testsJson(tests: unknown[] | undefined): Prisma.InputJsonValue {
  return (tests ?? []) as Prisma.InputJsonValue;
}

/** SQL: creates the store, or fills in a schema it lacks, in one statement. */
export async function ensureStore(tx: Queryable, id: string, name: string, description?: string, schema?: unknown): Promise<void> {
  await tx.query(
    `INSERT INTO policy_stores (id, name, description, schema, created_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (id) DO UPDATE SET schema = COALESCE(EXCLUDED.schema, policy_stores.schema)`,
    [id, name, description ?? null, schema === undefined ? null : JSON.stringify(schema)],
  );
}
