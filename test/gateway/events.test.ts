/**
 * Outcome events arrive exactly once: while Mandate restarts under load, and when the gateway itself is
 * killed with SIGKILL and started again (its successor sends what the spool holds).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startMandate } from "../support/mandate.ts";
import {
  ALLOW_ALL_POLICY,
  EVERYTHING,
  connectClient,
  countOutcomeEvents,
  gatewayErrorCode,
  gatewayStdioTransport,
  tempDir,
  waitFor,
  writeJson,
} from "./helpers.ts";

type Mandate = Awaited<ReturnType<typeof startMandate>>;
let mandate: Mandate;
let apiKey: string;
const clients: Client[] = [];
const cmd = [process.execPath, EVERYTHING, "stdio"];

beforeAll(async () => {
  mandate = await startMandate();
  apiKey = (await mandate.createAgent("gateway-events-test")).apiKey;
  await mandate.publishPolicy(ALLOW_ALL_POLICY);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await mandate?.stop();
});

function start(spoolDir: string, config: unknown = { events: { maxBackoffMs: 500 } }) {
  const configPath = writeJson(tempDir("events-cfg"), "gateway.json", config);
  return gatewayStdioTransport({ mandateUrl: mandate.url, apiKey, server: "everything", command: cmd, spoolDir, configPath });
}

/** Calls echo from `workers` loops until `stop()` is true; counts the calls that were forwarded. */
function load(client: Client, workers: number, stop: () => boolean) {
  const counts = { forwarded: 0, refused: 0, failed: 0 };
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stop(); i++) {
        try {
          const r = await client.callTool({ name: "echo", arguments: { message: `w${w}-${i}` } });
          if (gatewayErrorCode(r) === undefined) counts.forwarded++;
          else counts.refused++;
        } catch {
          counts.failed++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }),
  ).then(() => counts);
  return { counts, done };
}

describe("outcome events", () => {
  it("arrive exactly once when Mandate restarts while calls are flowing", async () => {
    const spoolDir = tempDir("events-restart");
    const client = await connectClient(start(spoolDir));
    clients.push(client);
    await client.listTools();
    await mandate.approveTool("everything", "echo");
    const before = await countOutcomeEvents(mandate);

    let done = false;
    const running = load(client, 4, () => done);
    // Progress, not wall time, paces the test: a loaded machine may take seconds for 20 calls or a restart.
    await waitFor(
      () => running.counts.forwarded,
      (n) => n >= 20,
      60_000,
      "calls before the restart",
    );
    await mandate.restart();
    const atRestart = running.counts.forwarded;
    await waitFor(
      () => running.counts.forwarded,
      (n) => n >= atRestart + 20,
      60_000,
      "calls after the restart",
    );
    done = true;
    const { forwarded } = await running.done;
    const after = await waitFor(
      () => countOutcomeEvents(mandate),
      (n) => n - before >= forwarded,
      30_000,
      "events",
    );
    await new Promise((r) => setTimeout(r, 1000)); // and no late duplicates
    expect((await countOutcomeEvents(mandate)) - before).toBe(forwarded);
    expect(after - before).toBe(forwarded);
  }, 180_000);

  it("arrive exactly once when the gateway is killed with SIGKILL mid-run and started again", async () => {
    const spoolDir = tempDir("events-kill");
    // Hold events in the spool (no time-based flush) so that the kill finds them unsent.
    const transport = start(spoolDir, { events: { flushMs: 60_000, batchSize: 1000 } });
    const client = await connectClient(transport);
    await client.listTools();
    await mandate.approveTool("everything", "echo");
    const before = await countOutcomeEvents(mandate);

    let killed = false;
    const running = load(client, 4, () => killed);
    await waitFor(
      () => readdirSync(join(spoolDir)).length,
      (n) => n > 0,
      10_000,
      "spool folder",
    );
    await waitFor(
      () => running.counts.forwarded,
      (n) => n >= 20,
      60_000,
      "calls before the kill",
    );
    process.kill(transport.pid!, "SIGKILL");
    killed = true;
    const { forwarded } = await running.done;
    expect(await countOutcomeEvents(mandate)).toBe(before); // nothing was sent before the kill

    const restarted = await connectClient(start(spoolDir));
    clients.push(restarted);
    // Calls whose result was lost with the process may still have been recorded (at most one per worker).
    const after = await waitFor(
      () => countOutcomeEvents(mandate),
      (n) => n - before >= forwarded,
      30_000,
      "events",
    );
    await new Promise((r) => setTimeout(r, 1000));
    const delivered = (await countOutcomeEvents(mandate)) - before;
    expect(delivered).toBe(after - before);
    expect(delivered).toBeGreaterThanOrEqual(forwarded);
    expect(delivered).toBeLessThanOrEqual(forwarded + 4);
  }, 180_000);
});
