/**
 * Several nodes starting at once on an empty database apply the migrations and seed exactly once,
 * and a second start on the same data keeps everything.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedDb } from "../../lib/db/embedded.ts";
import { closePool, getPool, setDatabaseUrl } from "../../lib/db/pool.ts";
import { startMandate, type MandateHandle } from "../support/mandate.ts";

let pg: EmbeddedDb | null = null;
const nodes: MandateHandle[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await closePool();
  await pg?.stop();
});

describe("concurrent start", () => {
  it("migrates and seeds once with three nodes starting together", async () => {
    pg = await startEmbeddedPostgres(mkdtempSync(join(tmpdir(), "mandate-shared-pg-")), () => {});
    // Nodes of one deployment share the master key (it encrypts the shared signing keys).
    const env = { MANDATE_MASTER_KEY: randomBytes(32).toString("base64") };
    const started = await Promise.all([0, 1, 2].map(() => startMandate({ databaseUrl: pg!.url, env })));
    nodes.push(...started);
    setDatabaseUrl(pg.url);
    const q = async (sql: string) => Number((await getPool().query(sql)).rows[0].n);
    expect(await q(`SELECT count(*) AS n FROM users WHERE email = 'admin@mandate.local'`)).toBe(1);
    expect(await q(`SELECT count(*) AS n FROM agents`)).toBe(3);
    expect(await q(`SELECT count(*) AS n FROM policy_versions`)).toBe(1);
    expect(await q(`SELECT count(*) AS n FROM _prisma_migrations`)).toBe(await q(`SELECT count(DISTINCT migration_name) AS n FROM _prisma_migrations`));
    // exactly one node seeded, so exactly one wrote the one-time credentials
    expect(started.filter((n) => existsSync(join(n.dataDir, "initial-credentials.json")))).toHaveLength(1);
    // every node answers decisions with the seeded key, on the one shared session state
    const key = started.find((n) => n.credentials)!.credentials!.agents[0].api_key;
    const steps = [];
    for (const n of started) {
      const r = await fetch(`${n.url}/api/v1/decisions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ session: { id: "shared" }, tool: { server: "files", name: "read_file" }, arguments: { path: "a" } }),
      });
      steps.push((await r.json()).session.step);
    }
    expect(steps).toEqual([1, 2, 3]);
  });

  it("keeps all data across a restart", async () => {
    const n = nodes[0];
    await n.restart();
    const r = await getPool().query(`SELECT step_count FROM sessions WHERE id = 'shared'`);
    expect(r.rows[0].step_count).toBe(3);
    const h = await fetch(`${n.url}/api/v1/health`);
    expect(h.status).toBe(200);
  });
});
