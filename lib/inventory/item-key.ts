/**
 * Inventory items and their keys. A tool's key is `server/name`, a resource's `server/<uri or URI
 * template>`, a prompt's `server/prompt:name`. The keys cannot collide: a tool name never holds `:` (tool
 * names are letters, digits, `_ . / -`), a resource's URI always does (its scheme), and a prompt's key
 * starts with `prompt:`. The part after `server/` is what the console's URLs, the API's `:name` and
 * the CLI take, so one parser tells the kind.
 */
export type ItemKind = "tool" | "resource" | "prompt";

export function itemKey(kind: ItemKind, server: string, name: string): string {
  return kind === "prompt" ? `${server}/prompt:${name}` : `${server}/${name}`;
}

/** The inverse of itemKey for the part after `server/`. */
export function parseItemName(rest: string): { kind: ItemKind; name: string } {
  if (rest.startsWith("prompt:")) return { kind: "prompt", name: rest.slice("prompt:".length) };
  if (rest.includes(":")) return { kind: "resource", name: rest };
  return { kind: "tool", name: rest };
}

/** "tool", "resource" or "prompt", for messages. */
export const KIND_WORD: Record<ItemKind, string> = { tool: "tool", resource: "resource", prompt: "prompt" };
