/**
 * What a decision is about: the MCP method and its target in the inventory. tools/call names a tool;
 * resources/read, resources/subscribe and resources/unsubscribe a resource URI, which belongs to the
 * resource listed with exactly that URI or to the one URI-template family that matches it; prompts/get
 * a prompt; completion/complete the prompt or resource (template) its `ref` names; the server-level
 * methods (initialize, logging/setLevel, tasks/*, and the sampling, elicitation and roots requests a
 * server sends) the server. A URI that is not in normal form, or that two families claim, is refused
 * before policy.
 */
import type { DecisionRequest, McpAction, Reason } from "../api/schemas.ts";
import { itemKey, type ItemKind } from "../inventory/item-key.ts";
import type { DecidedItem } from "./mcp-request.ts";
import { uriRefusal } from "../inventory/uri-template.ts";
import type { Runtime } from "../runtime/runtime.ts";

export interface Target {
  action: McpAction;
  kind: ItemKind | "server";
  server: string;
  /** As requested: the tool's name, the resource's URI or the prompt's name. */
  requested: string;
  /** The inventory item (or the server, summarised), when one matches. */
  item: DecidedItem | undefined;
  /** The item's key, or the requested one when no item matches. */
  key: string;
  /** What is decided (context.args), hashed and recorded: the tool's or prompt's arguments; `{ uri }` for a resource. */
  args: Record<string, unknown>;
  /** Refused before policy (a URI that is not exact, an ambiguous family). */
  refusal: Reason | null;
}

export async function resolveTarget(rt: Pick<Runtime, "tools">, req: DecisionRequest): Promise<Target> {
  const action = req.action ?? "tools/call";
  if (req.server) {
    const server = req.server.name;
    const item = await rt.tools.getServer(server);
    return { action, kind: "server", server, requested: server, item, key: server, args: req.arguments, refusal: null };
  }
  if (req.resource) {
    const { server, uri } = req.resource;
    // completion/complete: the URI (template) and the argument completed; the others: the URI alone.
    const args = action === "completion/complete" ? { ...req.arguments, uri } : { uri };
    const base = { action, kind: "resource" as const, server, requested: uri, args, key: itemKey("resource", server, uri) };
    if (action === "completion/complete") {
      // A completion's ref names a resource template (a family) as the server listed it: that entry.
      const family = await rt.tools.getItem("resource", server, uri);
      if (family) return { ...base, item: family, key: family.key, refusal: null };
    }
    const why = uriRefusal(uri);
    if (why) {
      return {
        ...base,
        item: undefined,
        refusal: { policy: "mandate.resource_uri_not_exact", message: `resource ${server}/${uri} is refused: ${why} (Mandate does not normalise URIs)` },
      };
    }
    const m = await rt.tools.resolveResource(server, uri);
    if (m.item) return { ...base, item: m.item, key: m.item.key, refusal: null };
    if (m.ambiguous) {
      const which = m.ambiguous.map((t) => t.name).join(" and ");
      return {
        ...base,
        item: undefined,
        refusal: { policy: "mandate.resource_ambiguous", message: `resource ${server}/${uri} matches several families: ${which}` },
      };
    }
    return { ...base, item: undefined, refusal: null };
  }
  if (req.prompt) {
    const { server, name } = req.prompt;
    const item = await rt.tools.getItem("prompt", server, name);
    return { action, kind: "prompt", server, requested: name, item, key: itemKey("prompt", server, name), args: req.arguments, refusal: null };
  }
  const { server, name } = req.tool!; // the request schema requires it for tools/call
  const item = await rt.tools.get(server, name);
  return { action, kind: "tool", server, requested: name, item, key: itemKey("tool", server, name), args: req.arguments, refusal: null };
}
