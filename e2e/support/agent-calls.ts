import { api } from "../../test/support/mandate.ts";

/** Asks for a decision with an agent key, as the gateway does. */
export function decide(baseUrl: string, key: string, session: string, tool: string, args: Record<string, unknown> = {}) {
  const [server, ...rest] = tool.split("/");
  return api(baseUrl, key, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server, name: rest.join("/") }, arguments: args });
}
