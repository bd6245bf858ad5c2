/**
 * What-if replay needs the real values of redacted arguments: the decision path keeps them encrypted
 * while an admin-set retention is on, and keeps nothing when it is off.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMasterKey } from "../../lib/crypto/master-key.ts";
import { getPool } from "../../lib/db/pool.ts";
import { loadReplayValues, setReplayRetentionDays } from "../../lib/policy/replay-values.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const secret = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";

beforeAll(async () => {
  m = await startMandate();
  loadMasterKey({ dataDir: m.dataDir, createIfMissing: false });
});
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

const write = (session: string) =>
  api(m.url, m.credentials!.agents[0].api_key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server: "files", name: "write_file" },
    arguments: { path: "notes.txt", content: `token=${secret}` },
  });

describe("replay values", () => {
  it("keeps the real arguments of a redacted decision, encrypted, while a retention is set", async () => {
    await setReplayRetentionDays(noNode(), 7, "test:setup");
    const r = await write("replay-1");
    expect(r.body.decision).toBe("allow");
    await m.settle(500);
    const kept = await loadReplayValues([r.body.decision_id]);
    expect(kept.get(r.body.decision_id)).toEqual({ path: "notes.txt", content: `token=${secret}` });
    const raw = await getPool().query("SELECT arguments_enc FROM replay_values WHERE decision_id = $1", [r.body.decision_id]);
    expect(raw.rows[0].arguments_enc).not.toContain(secret);
  });

  it("keeps nothing once the retention is off (after the node's 30 s settings cache)", async () => {
    const { deleted } = await setReplayRetentionDays(noNode(), 0, "test:setup");
    expect(deleted).toBeGreaterThanOrEqual(1);
    const n = await getPool().query("SELECT count(*)::int AS n FROM replay_values");
    expect(n.rows[0].n).toBe(0);
  });
});
