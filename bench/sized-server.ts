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

function records(bytes: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = JSON.stringify({
      id: 100_000 + i,
      sku: `SKU-${(i * 7919) % 100_000}`,
      name: `Product ${i} deluxe edition`,
      price: Math.round(((i * 13.37) % 1000) * 100) / 100,
      qty: i % 17,
      updated: new Date(1_700_000_000_000 + i * 3_600_000).toISOString(),
      tags: ["blue", "large", "sale"],
      note: "Ships within 3-5 business days; see https://shop.example/terms for details.",
    });
    out.push(line);
    n += line.length + 1;
  }
  return out.join("\n").slice(0, bytes);
}

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
