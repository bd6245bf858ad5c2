/**
 * An MCP stdio server for `npm run bench:gateway`'s result-size rows: one tool, `records`, whose result
 * is `bytes` characters of product records as JSON lines (ids, SKUs, prices, ISO dates, a URL: the kind
 * of text a business API returns, with nothing the gateway's detectors count, so the result is released
 * at once and what is measured is inspection, not the observation round trip). The text of each size is
 * built once; `seq` (varied per call) only keeps the calls from being identical.
 *
 *   node --import tsx bench/sized-server.ts
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { records } from "./sized-records.ts";

const texts = new Map<number, string>();
const server = new Server({ name: "bench-sized", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "records",
      description: "Product records as JSON lines, `bytes` characters long",
      inputSchema: { type: "object", properties: { bytes: { type: "integer" }, seq: { type: "string" } }, required: ["bytes"] },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (req) => {
  const bytes = Math.max(0, Math.min(4 << 20, Number((req.params.arguments ?? {}).bytes) || 0));
  let text = texts.get(bytes);
  if (text === undefined) texts.set(bytes, (text = records(bytes)));
  return { content: [{ type: "text", text }] };
});
await server.connect(new StdioServerTransport());
