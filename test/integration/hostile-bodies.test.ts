/**
 * Property-based: random and hostile bodies at every data-plane endpoint of the decision path never
 * produce a 5xx, and a rejected request (4xx) never writes anything. A body holding a NUL, an unpaired
 * surrogate or a __proto__ member anywhere is refused with a 400 (it used to be accepted with the NUL
 * removed, the surrogate replaced, the member dropped: what is decided is what runs).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let agentKey: string;

beforeAll(async () => {
  m = await startMandate();
  agentKey = m.credentials!.agents[0].api_key;
});
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

const valid: Record<string, unknown> = {
  "/api/v1/decisions": { session: { id: "prop" }, tool: { server: "files", name: "read_file" }, arguments: { path: "a" } },
  "/api/v1/tools/visible": { tools: [{ server: "files", name: "read_file" }] },
  "/api/v1/events": { events: [{ event_id: "evt-00000001", decision_id: "00000000-0000-4000-8000-000000000000", status: "success" }] },
  "/api/v1/inventory": { server: "prop", tools: [{ name: "t", inputSchema: { type: "object" } }] },
  // operator controls and admin endpoints (personal API token of an admin)
  "/api/v1/agents/support-assistant/suspend": { reason: "x" },
  "/api/v1/tools/files/read_file/block": { reason: "x" },
  "/api/v1/sessions/prop/terminate": { reason: "x" },
  "/api/v1/tools/crm/export_customers/approve": { effect: "read", risk: "high", labels: ["pii"] },
  "/api/v1/agents": { name: "prop-agent", team: "t" },
  "/api/v1/policies/mcp/publish": { text: "permit(principal, action, resource);" },
};
const asUser = (path: string) => !/\/(decisions|visible|events|inventory)$/.test(path);

const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom("\u0000", "\ud800", "'; DROP TABLE sessions; --", "../../etc/passwd", "a".repeat(5000), "${jndi:ldap://x}", "<script>", "\u202e", "💥"),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom("__proto__", "constructor", "session", "tool", "arguments", "events")), tie("v"), { maxKeys: 4 }),
  ),
})).v;

/** Replace one path of a valid body with a hostile value. */
function mutate(body: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  if (body === null || typeof body !== "object") return body;
  const copy: Record<string, unknown> = Array.isArray(body) ? ([...body] as never) : { ...(body as Record<string, unknown>) };
  copy[path[0]] = mutate(copy[path[0]], path.slice(1), value);
  return copy;
}

function paths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== "object") return [prefix];
  return [prefix, ...Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => paths(x, [...prefix, k]))];
}

/** Whether the JSON text holds something no layer may normalise: NUL, an unpaired surrogate, a __proto__ member. */
function holdsInexact(raw: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return false;
  }
  const bad = (s: string) => s.includes("\u0000") || !s.isWellFormed();
  const walk = (x: unknown): boolean =>
    typeof x === "string" ? bad(x) : x !== null && typeof x === "object" && Object.entries(x).some(([k, y]) => k === "__proto__" || bad(k) || walk(y));
  return walk(v);
}

async function count(): Promise<number> {
  const r = await getPool().query(
    "SELECT (SELECT count(*) FROM audit_entries) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM tools) + (SELECT count(*) FROM outcome_events) AS n",
  );
  return Number(r.rows[0].n);
}

describe.each(Object.keys(valid))("%s", (path) => {
  it("answers random bodies with 2xx or a specific 4xx, never 5xx; a 4xx writes nothing", async () => {
    const allPaths = paths(valid[path]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileValue.map((v) => JSON.stringify(v) ?? "null"),
          fc.tuple(fc.constantFrom(...allPaths), hostileValue).map(([p, v]) => JSON.stringify(mutate(valid[path], p, v)) ?? "null"),
          fc.string({ maxLength: 200 }),
        ),
        async (raw) => {
          const before = await count();
          const token = asUser(path) ? m.adminToken : agentKey;
          const r = await fetch(`${m.url}${path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: raw,
          });
          expect(r.status, raw.slice(0, 200)).toBeLessThan(500);
          if (holdsInexact(raw)) expect(r.status, raw.slice(0, 200)).toBe(400);
          if (r.status >= 400) {
            const problem = await r.json();
            expect(problem.status).toBe(r.status);
            expect(typeof problem.detail).toBe("string");
            expect(await count()).toBe(before);
          } else {
            await r.arrayBuffer();
          }
        },
      ),
      { numRuns: asUser(path) ? 30 : 60 },
    );
  });
});
