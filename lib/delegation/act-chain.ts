/**
 * The principal chain of a delegation token as nested `act` claims (RFC 8693 §4.1): the outermost
 * `act` is the current actor, each nested `act` a prior one. Mandate's act entries carry the agent's
 * id (`sub`) and name. Here the chain is a list from the first hop to the current actor.
 */

export interface ChainLink {
  agent_id: string;
  name: string;
}

export interface ActClaim {
  sub: string;
  name: string;
  act?: ActClaim;
}

export const MAX_DEPTH = 10;

/** [first hop, …, current actor] → nested act claim (current actor outermost). */
export function buildAct(chain: ChainLink[]): ActClaim {
  if (chain.length === 0) throw new Error("a delegation chain has at least one actor");
  let act: ActClaim | undefined;
  for (const link of chain) act = act ? { sub: link.agent_id, name: link.name, act } : { sub: link.agent_id, name: link.name };
  return act!;
}

/** Nested act claim → [first hop, …, current actor], or an error describing what is malformed. */
export function readActChain(act: unknown): { ok: true; chain: ChainLink[] } | { ok: false; message: string } {
  const reversed: ChainLink[] = [];
  let cur: unknown = act;
  while (cur !== undefined) {
    if (reversed.length >= MAX_DEPTH) return { ok: false, message: `delegation chain deeper than ${MAX_DEPTH}` };
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return { ok: false, message: "act claim must be an object" };
    const c = cur as Record<string, unknown>;
    if (typeof c.sub !== "string" || !c.sub) return { ok: false, message: "act claim without sub" };
    if (typeof c.name !== "string" || !c.name) return { ok: false, message: "act claim without name" };
    reversed.push({ agent_id: c.sub, name: c.name });
    cur = c.act;
  }
  if (reversed.length === 0) return { ok: false, message: "token has no act claim" };
  return { ok: true, chain: reversed.reverse() };
}
