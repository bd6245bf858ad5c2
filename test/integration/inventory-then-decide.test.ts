/**
 * A tool reported to the inventory is known to the very next decision on the same node, without
 * waiting for the change feed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
beforeAll(async () => {
  m = await startMandate();
});
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

it("reports then decides at once: the new tool is pending, not unknown", async () => {
  const key = m.credentials!.agents[0].api_key;
  for (let i = 0; i < 20; i++) {
    const server = `fresh${i}`;
    const inv = await api(m.url, key, "POST", "/api/v1/inventory", {
      server,
      tools: [{ name: "list_tickets", description: "Lists tickets", inputSchema: { type: "object" } }],
    });
    expect(inv.status).toBe(200);
    const r = await api(m.url, key, "POST", "/api/v1/decisions", { session: { id: `fresh-${i}` }, tool: { server, name: "list_tickets" }, arguments: {} });
    expect(r.body.reasons[0].policy).toBe("mandate.tool_not_approved");
  }
  const unknown = await api(m.url, key, "POST", "/api/v1/decisions", {
    session: { id: "fresh-x" },
    tool: { server: "nowhere", name: "nothing" },
    arguments: {},
  });
  expect(unknown.body.reasons[0].policy).toBe("mandate.tool_unknown");
});
