import { describe, expect, it } from "vitest";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { relayed, RelayedError, TransparentClient, TransparentServer } from "./forwarding.ts";

describe("relayed errors", () => {
  it("keep the code, message and data the other side sent (the SDK's prefix removed once)", () => {
    const data = { nested: [1, null] };
    const e = relayed(new McpError(-32099, "MCP error -32099: the upstream's own text", data)) as RelayedError;
    expect(e).toBeInstanceOf(RelayedError);
    expect(e).toBeInstanceOf(McpError); // governance still tells upstream errors from transport failures by code
    expect([e.code, e.message, e.data]).toEqual([-32099, "MCP error -32099: the upstream's own text", data]);
    expect(e.data).toBe(data);
    const plain = relayed(new McpError(-32603, "Unknown resource: x")) as RelayedError;
    expect([plain.code, plain.message, plain.data]).toEqual([-32603, "Unknown resource: x", undefined]);
    expect(relayed(e)).toBe(e);
    const other = new Error("not JSON-RPC");
    expect(relayed(other)).toBe(other);
  });

  it("the SDK internals progress ordering relies on are present (constructing would throw otherwise)", () => {
    expect(() => new TransparentClient({ name: "t", version: "1" })).not.toThrow();
    expect(() => new TransparentServer({ name: "t", version: "1" })).not.toThrow();
  });
});
