/**
 * The AuthZEN parts of a node: PEP keys, store descriptions, the directory and agent lookups, each
 * cached in memory. Built by the composition root (lib/runtime/start.ts) as `rt.authzen`, which routes
 * the change feed's events to invalidate() and its resets to clear().
 */
import { DirectoryCache } from "../directory/cache.ts";
import { AgentLookup } from "./agents.ts";
import { PepKeyCache } from "./pep-keys.ts";
import { StoreCache } from "./stores.ts";

export interface AuthzenState {
  peps: PepKeyCache;
  stores: StoreCache;
  directory: DirectoryCache;
  agents: AgentLookup;
  /** A change from the change feed (or this node) to what these caches hold. */
  invalidate(table: string, key: string): void;
  /** Drops everything (the change feed cannot vouch for the caches). */
  clear(): void;
  /** Stops the PEP keys' last-used flush timer and writes what it holds. */
  stop(): Promise<void>;
}

export function createAuthzenState(): AuthzenState {
  const peps = new PepKeyCache();
  const stores = new StoreCache();
  const directory = new DirectoryCache();
  const agents = new AgentLookup();
  return {
    peps,
    stores,
    directory,
    agents,
    invalidate(table, key) {
      if (table === "pep_keys") peps.invalidate(key);
      else if (table === "policy_stores") stores.invalidate(key);
      else if (table === "directory_entities") directory.invalidate(key);
      else if (table === "agents" || table === "users") agents.clear();
    },
    clear() {
      peps.clear();
      stores.clear();
      directory.clear();
      agents.clear();
    },
    async stop() {
      peps.stop();
      await peps.flushLastUsed();
    },
  };
}
