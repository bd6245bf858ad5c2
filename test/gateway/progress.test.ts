/**
 * Every progress notification an upstream sends before its result reaches the client, before the result.
 * The fixture server writes N notifications and the result in one write, so the gateway reads them
 * together: the case in which the SDK's Protocol used to drop them (it handled the result first and
 * removed the request's progress handler). Clients here are raw JSON-RPC, so the order on the wire is
 * what is checked (the SDK's client would itself drop them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMandate } from "../support/mandate.ts";
import { ALLOW_ALL_POLICY, EVERYTHING, GATEWAY_BIN, RAW_SERVER, RawStdioClient, rawHttpSession, startGatewayHttp, tempDir } from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
let apiKey: string;
const spoolDir = tempDir("progress-spool");
const stops: Array<() => Promise<void>> = [];
const ROUNDS = 50;
const N = 5;

function gatewayStdio(server: string, command: string[]): RawStdioClient {
  return RawStdioClient.spawn(process.execPath, [GATEWAY_BIN, "stdio", "--server", server, "--spool-dir", spoolDir, "--", ...command], {
    MANDATE_URL: mandate.url,
    MANDATE_API_KEY: apiKey,
  });
}

type Msg = { method?: string; params?: { progressToken?: unknown; progress?: number } };
const progressOf = (before: Msg[], token: string) =>
  before.filter((m) => m.method === "notifications/progress" && m.params?.progressToken === token).map((m) => m.params!.progress);

beforeAll(async () => {
  mandate = await startMandate();
  apiKey = (await mandate.createAgent("gateway-progress-test")).apiKey;
  await mandate.publishPolicy(ALLOW_ALL_POLICY);
});

afterAll(async () => {
  for (const s of stops) await s();
  await mandate?.stop();
});

describe("progress notifications read together with their result", () => {
  it(`stdio mode: all ${N} arrive before the result, ${ROUNDS} times in a row`, async () => {
    const c = gatewayStdio("raw", [process.execPath, RAW_SERVER]);
    stops.push(() => c.close());
    await c.initialize();
    await c.request("tools/list"); // reports the tools to the inventory
    await mandate.approveTool("raw", "progress");
    for (let i = 0; i < ROUNDS; i++) {
      const token = `stdio-${i}`;
      const { response, before } = await c.request("tools/call", { name: "progress", arguments: { n: N }, _meta: { progressToken: token } });
      expect(response.result?.content?.[0]?.text, `round ${i}`).toBe(`sent ${N} progress notifications`);
      expect(progressOf(before, token), `round ${i}`).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it(`HTTP mode: all ${N} arrive on the answer's stream before the result, ${ROUNDS} times in a row`, async () => {
    const gw = await startGatewayHttp({
      mandate: { url: mandate.url },
      events: { spoolDir },
      servers: { raw: { command: process.execPath, args: [RAW_SERVER] } },
    });
    stops.push(gw.stop);
    const s = await rawHttpSession(gw.url, apiKey);
    await s.request("tools/list");
    for (let i = 0; i < ROUNDS; i++) {
      const token = `http-${i}`;
      const { response, before } = await s.request("tools/call", { name: "raw__progress", arguments: { n: N }, _meta: { progressToken: token } });
      expect(response.result?.content?.[0]?.text, `round ${i}`).toBe(`sent ${N} progress notifications`);
      expect(progressOf(before, token), `round ${i}`).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it("server-everything's long-running operation: every step's progress arrives before the result", async () => {
    const c = gatewayStdio("everything", [process.execPath, EVERYTHING, "stdio"]);
    stops.push(() => c.close());
    await c.initialize();
    await c.request("tools/list");
    await mandate.approveTool("everything", "trigger-long-running-operation");
    for (let i = 0; i < 10; i++) {
      const token = `everything-${i}`;
      const { response, before } = await c.request("tools/call", {
        name: "trigger-long-running-operation",
        arguments: { duration: 0.03, steps: 3 },
        _meta: { progressToken: token },
      });
      expect(response.result?.content?.[0]?.text, `round ${i}`).toMatch(/Long running operation completed/);
      expect(progressOf(before, token), `round ${i}`).toEqual([1, 2, 3]);
    }
  });
});
