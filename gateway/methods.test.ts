import { ClientNotificationSchema, ClientRequestSchema, ServerNotificationSchema, ServerRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, SERVER_NOTIFICATIONS, SERVER_REQUESTS, refuseUnknownRequest } from "./methods.ts";

type Union = { options: ReadonlyArray<{ shape: { method: { value: string } } }> };
const methodsOf = (u: unknown) => (u as Union).options.map((o) => o.shape.method.value).sort();

describe("the methods the gateway relays", () => {
  it("are exactly the SDK's: an upgrade that adds one fails here, so relaying it is decided", () => {
    expect([...CLIENT_REQUESTS].sort()).toEqual(methodsOf(ClientRequestSchema));
    expect([...SERVER_REQUESTS].sort()).toEqual(methodsOf(ServerRequestSchema));
    expect([...CLIENT_NOTIFICATIONS].sort()).toEqual(methodsOf(ClientNotificationSchema));
    expect([...SERVER_NOTIFICATIONS].sort()).toEqual(methodsOf(ServerNotificationSchema));
  });

  it("refuses anything else with JSON-RPC -32601, naming the method", () => {
    expect(() => refuseUnknownRequest("tools/call", CLIENT_REQUESTS, "client")).not.toThrow();
    expect(() => refuseUnknownRequest("x-vendor/echo", CLIENT_REQUESTS, "client")).toThrow(
      expect.objectContaining({ code: -32601, message: expect.stringContaining("x-vendor/echo") }),
    );
    expect(() => refuseUnknownRequest("tools/call", SERVER_REQUESTS, "server")).toThrow(expect.objectContaining({ code: -32601 }));
  });
});
