import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { drainable } from "./drain.ts";

let server: Server | null = null;
afterEach(() => {
  server?.closeAllConnections();
  server = null;
});

async function listening(): Promise<{ port: number; drain: () => Promise<void> }> {
  server = createServer((_req, res) => setTimeout(() => res.end("ok"), 50));
  const d = drainable(server);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  return { port: typeof a === "object" && a ? a.port : 0, drain: () => d.drain() };
}

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });

/** Sends one GET on the socket and resolves with the raw answer (or "closed: <error>" if the connection ends first). */
const ask = (s: Socket) =>
  new Promise<string>((resolve) => {
    let text = "";
    s.on("data", (d) => {
      text += String(d);
      if (text.includes("\r\n\r\nok") || text.includes("\r\n0\r\n")) resolve(text);
    });
    s.once("error", (e) => resolve(`closed: ${e.message}`));
    s.once("close", () => resolve(text || "closed"));
    s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  });

describe("drainable", () => {
  it("answers a request that arrives on a connection accepted before the drain, with Connection: close", async () => {
    const { port, drain } = await listening();
    const fresh = await open(port); // accepted, no request sent yet: http.Server.close() would reset it
    const served = await open(port);
    const servedClosed = new Promise((r) => served.once("close", r));
    expect(await ask(served)).toMatch(/^HTTP\/1.1 200/);
    const drained = drain();
    await new Promise((r) => setTimeout(r, 200));
    const answer = await ask(fresh);
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    expect(answer.toLowerCase()).toContain("connection: close");
    // New connections are refused; the idle keep-alive one is closed after its grace, and the drain ends.
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
    await drained;
    await servedClosed;
  });

  it("ends at once when no connection is open", async () => {
    const { drain } = await listening();
    const t0 = Date.now();
    await drain();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
