/**
 * Authentication of a channel before anything is spawned or relayed: the agent key is checked with
 * Mandate (GET /api/v1/agents/me, no side effects) when an HTTP session is initialized and when stdio
 * mode starts. Not cached: every new session asks Mandate, so a revoked key opens no new session from
 * the moment Mandate refuses it (on every Mandate node, the next request after the revocation).
 */
import type { AgentIdentity } from "../lib/api/schemas.ts";
import { MandateCallError, type MandateClient } from "./mandate-client.ts";

export type KeyCheck =
  | { ok: true; agent: AgentIdentity }
  /** 401: not a valid agent key; 403: valid, but may not open a session (not an agent key, or suspended); 503: Mandate could not say. */
  | { ok: false; status: 401 | 403 | 503; detail: string };

export async function checkKey(mandate: MandateClient, signal?: AbortSignal): Promise<KeyCheck> {
  try {
    const agent = await mandate.whoami(signal);
    if (agent.suspended) return { ok: false, status: 403, detail: `agent "${agent.name}" is suspended in Mandate: no new session is opened for it` };
    return { ok: true, agent };
  } catch (e) {
    if (e instanceof MandateCallError && e.kind === "http" && (e.status === 401 || e.status === 403)) {
      const why = e.problem?.detail ?? e.problem?.title ?? `HTTP ${e.status}`;
      return { ok: false, status: e.status, detail: `Mandate refused this agent key: ${why}` };
    }
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, status: 503, detail: `the agent key could not be checked, so nothing is started (fail closed): ${msg}` };
  }
}
