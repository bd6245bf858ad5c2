/**
 * Fail closed on methods: the gateway passes on only the methods MCP defines, in both directions
 * (gateway/methods.ts). The raw fixture server answers a vendor method and asks the client whatever it
 * is told to, so each refusal is shown against a server that would have gone along.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMandate } from "../support/mandate.ts";
import { GATEWAY_BIN, RAW_SERVER, RawStdioClient, tempDir, waitFor, type RawMessage } from "./helpers.ts";

let mandate: Awaited<ReturnType<typeof startMandate>>;
let gw: RawStdioClient;
const spoolDir = tempDir("methods-spool");

beforeAll(async () => {
  mandate = await startMandate();
  const { apiKey } = await mandate.createAgent("gateway-methods");
  gw = RawStdioClient.spawn(process.execPath, [GATEWAY_BIN, "stdio", "--server", "raw", "--spool-dir", spoolDir, "--", process.execPath, RAW_SERVER], {
    MANDATE_URL: mandate.url,
    MANDATE_API_KEY: apiKey,
  });
  await gw.initialize();
  await gw.request("tools/list"); // reports the raw server's tools to the inventory
  await mandate.approveTool("raw", "ask");
});

afterAll(async () => {
  await gw?.close();
  await mandate?.stop();
});

/** The raw server asks the client `method` during a tools/call, and returns the client's response. */
async function ask(method: string, answer?: (m: RawMessage) => void): Promise<Record<string, unknown>> {
  const call = gw.request("tools/call", { name: "ask", arguments: { method } });
  if (answer) {
    const asked = await waitFor(() => gw.messages.find((m) => m.method === method), Boolean, 20_000, `${method} to reach the client`);
    answer(asked!);
  }
  const { response } = await call;
  return JSON.parse(response.result.content[0].text);
}

describe("the gateway passes on only the methods MCP defines", () => {
  it("refuses a client request of another method (-32601) that the server itself would have answered", async () => {
    const direct = RawStdioClient.spawn(process.execPath, [RAW_SERVER]);
    try {
      await direct.initialize();
      expect((await direct.request("x-vendor/echo", { a: 1 })).response.result).toEqual({ echo: { a: 1 } });
    } finally {
      await direct.close();
    }
    const { response } = await gw.request("x-vendor/echo", { a: 1 });
    expect(response.result).toBeUndefined();
    expect(response.error.code).toBe(-32601);
    expect(response.error.message).toMatch(/Method not found: x-vendor\/echo \(.*not passed on\)$/);
  });

  it("refuses a server's request of another method, and still passes a known one to the client", async () => {
    const refused = await ask("x-vendor/ask");
    expect((refused.error as { code: number }).code).toBe(-32601);
    expect(gw.messages.filter((m) => m.method === "x-vendor/ask")).toEqual([]);

    const answered = await ask("ping", (m) => gw.write({ id: m.id, result: {} }));
    expect(answered).toEqual({ result: {} });
  });
});
