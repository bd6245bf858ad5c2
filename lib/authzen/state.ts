/**
 * The AuthZEN parts of a node: PEP keys, store descriptions, the directory and agent lookups, each
 * cached in memory and invalidated through the node's change feed (one set per runtime).
 */
import { DirectoryCache } from "../directory/cache.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { AgentLookup } from "./agents.ts";
import { PepKeyCache } from "./pep-keys.ts";
import { StoreCache } from "./stores.ts";

export interface AuthzenState {
  peps: PepKeyCache;
  stores: StoreCache;
  directory: DirectoryCache;
  agents: AgentLookup;
}

const states = new WeakMap<Runtime, AuthzenState>();

export function authzenState(rt: Runtime): AuthzenState {
  const existing = states.get(rt);
  if (existing) return existing;
  const s: AuthzenState = { peps: new PepKeyCache(), stores: new StoreCache(), directory: new DirectoryCache(), agents: new AgentLookup() };
  rt.changes.on((table, key) => {
    if (table === "pep_keys") s.peps.invalidate(key);
    else if (table === "policy_stores") s.stores.invalidate(key);
    else if (table === "directory_entities") s.directory.invalidate(key);
    else if (table === "agents" || table === "users") s.agents.clear();
  });
  rt.changes.onReset(() => {
    s.peps.clear();
    s.stores.clear();
    s.directory.clear();
    s.agents.clear();
  });
  states.set(rt, s);
  return s;
}
