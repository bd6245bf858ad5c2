import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPackStore, readPack } from "./pack.ts";

const PACK = join(import.meta.dirname, "../../examples/authzen-pack");

describe("examples/authzen-pack", () => {
  const stores = readPack(PACK);

  it("has the two interop stores, each validating and passing its own tests", async () => {
    expect(stores.map((s) => s.id)).toEqual(["api-gateway", "todo"]);
    for (const s of stores) {
      const r = await checkPackStore(s);
      expect(r.tests).toBeGreaterThan(0);
    }
  });

  it("writes policies the way an admin would: no subject or resource id in any policy", () => {
    for (const s of stores) {
      const literals = [...s.policies.matchAll(/([A-Za-z_][A-Za-z0-9_:]*)::"([^"]*)"/g)].map((x) => x[1]);
      expect(literals.every((t) => t === "Action" || t.endsWith("::Action"))).toBe(true);
      for (const e of s.entities) {
        expect(s.policies).not.toContain(e.id);
        for (const v of Object.values(e.attrs)) if (typeof v === "string") expect(s.policies).not.toContain(v);
      }
    }
  });

  it("refuses a pack whose tests fail, before anything is written", async () => {
    const todo = stores.find((s) => s.id === "todo")!;
    const broken = { ...todo, tests: [{ ...todo.tests[0], expected: !todo.tests[0].expected }] };
    await expect(checkPackStore(broken)).rejects.toMatchObject({ status: 422, code: "pack_tests_failed" });
    await expect(checkPackStore({ ...todo, policies: 'permit (principal, action == Action::"nope", resource);' })).rejects.toMatchObject({ status: 422 });
  });
});
