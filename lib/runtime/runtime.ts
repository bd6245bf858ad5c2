/**
 * The node's long-lived parts, created once per process by startRuntime() and shared through
 * globalThis, so that the data-plane server and the Next.js console (bundled separately) use the same
 * caches, Cedar workers and audit chains.
 */
import { availableParallelism, hostname } from "node:os";
import { AuditChain } from "../audit/chain.ts";
import { ChainPool } from "../audit/chain-pool.ts";
import { CallCounter } from "../inventory/call-counter.ts";
import { CredentialCache } from "../identity/credential-cache.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { ToolCache } from "../inventory/tool-cache.ts";
import { CedarEvaluator } from "../policy/evaluator.ts";
import { PolicyCache } from "../policy/policy-cache.ts";
import { SessionCache } from "../sessions/session-cache.ts";
import { ChangeFeed } from "./change-feed.ts";
import type { DelegationView } from "../decisions/mcp-request.ts";

/** Verifies a delegation token presented with a decision (lib/delegation). */
export interface DelegationVerifier {
  verify(token: string, agent: AgentPrincipal): Promise<{ ok: true; view: DelegationView } | { ok: false; message: string }>;
  invalidate(table: string, key: string): void;
}

/** Signs receipts for allowed calls (lib/delegation). */
export interface ReceiptSigner {
  sign(claims: Record<string, unknown>): Promise<string>;
  /** Releases its resources (the signing worker). */
  close?(): Promise<void>;
}

export interface RuntimeConfig {
  node: string;
  cedarWorkers: number;
  approvalTtlSeconds: number;
  publicUrl: string;
  failClosedOnPolicyError: boolean;
  /** Decision chains per node (batches committed in parallel); see defaultAuditChains(). */
  auditChains: number;
}

export interface Runtime {
  config: RuntimeConfig;
  evaluator: CedarEvaluator;
  credentials: CredentialCache;
  tools: ToolCache;
  policies: PolicyCache;
  sessions: SessionCache;
  /** The node's decision chains (several commit in parallel). */
  decisionChain: ChainPool;
  /** Outcome events from enforcement agents: their own chain, so an ingested batch never holds up a decision. */
  eventChain: AuditChain;
  adminChain: AuditChain;
  callCounter: CallCounter;
  changes: ChangeFeed;
  delegation: DelegationVerifier | null;
  receipts: ReceiptSigner | null;
  /** Hooks run after an approval-creating or other notable event (webhooks, SSE). */
  listeners: Array<(event: { type: string; data: Record<string, unknown> }) => void>;
  /**
   * Applies a change committed by this process to this node's caches at once (adminAction() also
   * waits for the change feed's barrier; other nodes get it through the change feed).
   */
  applyChange(table: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

type G = { __mandateRuntime?: Runtime };

export function runtimeOrNull(): Runtime | null {
  return (globalThis as G).__mandateRuntime ?? null;
}

export function runtime(): Runtime {
  const rt = (globalThis as G).__mandateRuntime;
  if (!rt) throw new Error("Mandate runtime not started");
  return rt;
}

/**
 * Decision chains per node when MANDATE_AUDIT_CHAINS is not set. A second chain overlaps two commits,
 * which needs a core for a second PostgreSQL backend next to the node; on 2 vCPUs there is none, and one
 * chain's larger batches cost less per decision (`npm run bench` here, 2 vCPUs: 1 chain 3,922–4,090
 * decisions/s at 337–349 µs CPU each, 2 chains 3,687–3,851/s at 374–393 µs; docs/benchmarks.md).
 */
export function defaultAuditChains(cpus = availableParallelism()): number {
  return cpus <= 2 ? 1 : 2;
}

export function defaultNodeName(port?: number): string {
  return `${hostname()}:${port ?? process.pid}`;
}

export async function startRuntime(partial: Partial<RuntimeConfig> & { listenChanges?: boolean } = {}): Promise<Runtime> {
  const existing = runtimeOrNull();
  if (existing) return existing;
  const config: RuntimeConfig = {
    node: partial.node ?? defaultNodeName(),
    cedarWorkers: partial.cedarWorkers ?? 1,
    approvalTtlSeconds: partial.approvalTtlSeconds ?? 900,
    publicUrl: partial.publicUrl ?? "http://127.0.0.1:3000",
    failClosedOnPolicyError: partial.failClosedOnPolicyError ?? true,
    auditChains: partial.auditChains ?? defaultAuditChains(),
  };
  const callCounter = new CallCounter();
  const evaluator = new CedarEvaluator(config.cedarWorkers);
  const credentials = new CredentialCache();
  const tools = new ToolCache();
  const policies = new PolicyCache(evaluator);
  const sessions = new SessionCache();
  const changes = new ChangeFeed(config.node);
  const rt: Runtime = {
    config,
    evaluator,
    credentials,
    tools,
    policies,
    sessions,
    decisionChain: new ChainPool(config.node, config.auditChains),
    eventChain: new AuditChain(`${config.node}/events`),
    adminChain: new AuditChain(`${config.node}/admin`),
    callCounter,
    changes,
    delegation: null,
    receipts: null,
    listeners: [],
    async applyChange(table, key) {
      invalidate(table, key);
    },
    async stop() {
      await changes.stop();
      await callCounter.stop();
      credentials.stop();
      await credentials.flushLastUsed();
      await evaluator.close();
      await Promise.all([rt.decisionChain.close(), rt.eventChain.close(), rt.adminChain.close()]);
      await rt.receipts?.close?.();
      (globalThis as G).__mandateRuntime = undefined;
    },
  };
  // Synchronous: a change is applied as its notification arrives (the feed's heartbeat relies on it).
  const invalidate = (table: string, key: string) => {
    credentials.invalidate(table, key);
    if (table === "policy_versions") policies.invalidate(key);
    if (table === "sessions") sessions.invalidate(key);
    if (table === "tools") tools.invalidate(key);
    rt.delegation?.invalidate(table, key);
  };
  changes.on(invalidate);
  changes.onReset(() => {
    credentials.clear();
    tools.clear();
    policies.clear();
    sessions.clear();
  });
  if (partial.listenChanges !== false) await changes.start();
  (globalThis as G).__mandateRuntime = rt;
  return rt;
}

/**
 * Tells the node's listeners (webhooks, long polls) about an event after its change committed. A
 * listener that throws is logged and never fails the caller: the change is committed, and its caller
 * answers it.
 */
export function notifyListeners(rt: Runtime | null, type: string, data: Record<string, unknown>): void {
  for (const l of rt?.listeners ?? []) {
    try {
      l({ type, data });
    } catch (err) {
      console.error(`[runtime] a listener of ${type} failed: ${(err as Error).message}`);
    }
  }
}

export function emit(type: string, data: Record<string, unknown>): void {
  notifyListeners(runtimeOrNull(), type, data);
}

/** After a committed admin change in this process: update this node's caches now, not a moment later. */
export async function applyLocalChange(table: string, key: string): Promise<void> {
  await runtimeOrNull()?.applyChange(table, key);
}

/**
 * After any change committed in this process: returns once this node has applied every change
 * committed so far (the change feed's barrier), so that the change is in force here before it is
 * answered. A no-op outside a node (the CLI).
 */
export async function syncLocalChanges(): Promise<void> {
  await runtimeOrNull()?.changes.sync();
}
