import { describe, expect, it } from "vitest";
import { computeEntryHash, GENESIS_HASH, linkEntries, type AuditEntryInput } from "./hash.ts";

const input = (i: number): AuditEntryInput => ({
  kind: "decision",
  action: "decision.allow",
  actor: "agent:a",
  session_id: "s",
  step: i,
  agent_id: null,
  tool: "files/read_file",
  outcome: "allow",
  decision_id: null,
  created_at: new Date(1_700_000_000_000 + i).toISOString(),
  data: { n: i, nested: { b: 1, a: [1, 2] } },
});

describe("hash chain", () => {
  it("links each entry to the previous hash, starting at the genesis", () => {
    const { rows, head } = linkEntries("c1", { seq: 0, hash: GENESIS_HASH }, [input(1), input(2), input(3)]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[2].prev_hash).toBe(rows[1].hash);
    expect(head).toEqual({ seq: 3, hash: rows[2].hash });
  });

  it("recomputes the same hash from the stored content, whatever the key order", () => {
    const { rows } = linkEntries("c1", { seq: 0, hash: GENESIS_HASH }, [input(1)]);
    const { hash, ...content } = rows[0];
    const reordered = { ...content, data: { nested: { a: [1, 2], b: 1 }, n: 1 } };
    expect(computeEntryHash(reordered)).toBe(hash);
  });

  it("changes the hash when any stored field changes", () => {
    const { rows } = linkEntries("c1", { seq: 0, hash: GENESIS_HASH }, [input(1)]);
    const { hash, ...content } = rows[0];
    for (const change of [
      { outcome: "deny" },
      { step: 2 },
      { data: { n: 2, nested: { b: 1, a: [1, 2] } } },
      { prev_hash: "f".repeat(64) },
      { created_at: new Date(0).toISOString() },
    ]) {
      expect(computeEntryHash({ ...content, ...change })).not.toBe(hash);
    }
  });

  it("continues a chain from its head", () => {
    const a = linkEntries("c1", { seq: 0, hash: GENESIS_HASH }, [input(1), input(2)]);
    const b = linkEntries("c1", a.head, [input(3)]);
    const all = linkEntries("c1", { seq: 0, hash: GENESIS_HASH }, [input(1), input(2), input(3)]);
    expect(b.rows[0]).toEqual(all.rows[2]);
  });
});
