/**
 * What is live on a node, as one object: the parts object that the composition root
 * (lib/runtime/start.ts: startRuntime) builds in order and whose stop() ends them in reverse order.
 * Domain code that touches a node's caches, chains or listeners takes it (or the part it needs, e.g.
 * NodeContext) as a parameter, as decide(rt, …) does; nothing reaches it through a global, except the
 * Next.js bundle, which has no other way to the node its process runs (runtime() below).
 *
 * Per process / per node: a node runs several data-plane processes (server/cluster-primary.ts,
 * MANDATE_DATA_PLANE_WORKERS). Every field of Runtime is per process (each process has its own caches,
 * Cedar workers, chains, change feed, listeners). The node's duties (checkpoints, purges, the approval
 * sweeper and webhook worker, the database's supervision) run in one process of the node: startRuntime's
 * `duties`. The processes of one node reach each other through `NodePeers` (a barrier over IPC).
 */
import { availableParallelism, hostname } from "node:os";
import { AuditChain } from "../audit/chain.ts";
import type { ChainPool } from "../audit/chain-pool.ts";
import type { ApprovalWaiters } from "../approvals/waiters.ts";
import type { AuthzenState } from "../authzen/state.ts";
import type { DelegationView } from "../decisions/mcp-request.ts";
import type { Delegation } from "../delegation/service.ts";
import type { SessionResolver } from "../http/route.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { CredentialCache } from "../identity/credential-cache.ts";
import type { CallCounter } from "../inventory/call-counter.ts";
import type { AgentCounters } from "../counters/agent-counters.ts";
import type { ToolCache } from "../inventory/tool-cache.ts";
import type { CedarEvaluator } from "../policy/evaluator.ts";
import type { PolicyCache } from "../policy/policy-cache.ts";
import type { SessionCache } from "../sessions/session-cache.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { logger } from "../telemetry/log.ts";

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

/** An event after a committed change (approval.created, approval.decided, approval.expired). */
export interface ChangeEvent {
  type: string;
  data: Record<string, unknown>;
}
export type ChangeListener = (event: ChangeEvent) => void;

/**
 * Where a change is made: a node (every Runtime is one), or a process that runs none (noNode()). Domain
 * functions that change state take it: adminAction(rt, …) appends to its admin chain, then the change
 * is applied to its caches and its listeners are told.
 */
export interface NodeContext {
  /** The chain admin actions append to. */
  readonly adminChain: AuditChain;
  /** Applies a change committed here to this node's caches at once (other nodes: the change feed). */
  applyChange(table: string, key: string): Promise<void>;
  /** Returns once this node applied every change committed so far (the change feed's barrier). */
  sync(): Promise<void>;
  /** Tells this node's listeners (webhooks, long polls) about an event after its change committed (shielded). */
  emit(type: string, data: Record<string, unknown>): void;
}

/** A change to apply in a process: invalidate what a table's row `key` may have left in its caches. */
export interface Change {
  table: string;
  key: string;
}

/**
 * The other processes of this node (null: it has none). A barrier applies a change (if any) in every one
 * of them and makes each wait for its change feed's barrier (sync()); it resolves once all have
 * acknowledged, so a change made here is in force in every process of the node before it is answered.
 */
export interface NodePeers {
  barrier(change: Change | null): Promise<void>;
  /** An approval event was queued here: the process that runs the webhook worker should send it now. */
  kickWebhooks(): void;
}

export interface Runtime extends NodeContext {
  config: RuntimeConfig;
  evaluator: CedarEvaluator;
  credentials: CredentialCache;
  tools: ToolCache;
  policies: PolicyCache;
  sessions: SessionCache;
  /** PEP keys, policy stores, the directory, agent lookups (lib/authzen). */
  authzen: AuthzenState;
  /** Signing keys, revocation and subject caches, the decision path's token verifier (lib/delegation). */
  delegation: Delegation;
  /** Signs an allow's receipt (on a worker thread). */
  receipts: ReceiptSigner;
  /** The node's decision chains (several commit in parallel). */
  decisionChain: ChainPool;
  /** Outcome events from enforcement agents: their own chain, so an ingested batch never holds up a decision. */
  eventChain: AuditChain;
  adminChain: AuditChain;
  callCounter: CallCounter;
  /** Per-agent call counters kept in step with the other processes (lib/counters/agent-counters.ts). */
  agentCounters: AgentCounters;
  /** Long polls of approvals in this process. */
  approvalWaiters: ApprovalWaiters;
  /** Run after an approval-creating or other notable event (webhooks, long polls), shielded (notifyListeners). */
  listeners: ChangeListener[];
  changes: ChangeFeed;
  /** Reads a signed-in console user from a data-plane request's cookies (null: no console). */
  consoleSessions: SessionResolver | null;
  /** Runs the webhook worker now, in the process of the node that runs it (a queued approval event). */
  kickWebhooks(): void;
  /** A peer's barrier, run here: applies its change (if any) to this process's caches, then sync(). */
  applyFromPeer(change: Change | null): Promise<void>;
  /** Stops everything startRuntime started, in reverse order. */
  stop(): Promise<void>;
}

/**
 * A process-wide global (ARCHITECTURE.md, *The composition root*): the Next.js bundle loads its own copy
 * of every module, and reaches the node of its process only through it. Domain code never reads it: it
 * is given `rt`.
 */
type G = { __mandateRuntime?: Runtime };

/** The node this process runs, for the Next.js bundle (its own copy of every module): set by startRuntime. */
export function runtimeOrNull(): Runtime | null {
  return (globalThis as G).__mandateRuntime ?? null;
}

export function runtime(): Runtime {
  const rt = (globalThis as G).__mandateRuntime;
  if (!rt) throw new Error("Mandate runtime not started");
  return rt;
}

/** Makes `rt` the node of this process for the Next.js bundle (null: none). */
export function publishRuntime(rt: Runtime | null): void {
  (globalThis as G).__mandateRuntime = rt ?? undefined;
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

/**
 * Runs listeners after a committed change. A listener that throws is logged and never fails the caller:
 * the change is committed, and its caller answers it.
 */
export function notifyListeners(listeners: readonly ChangeListener[], type: string, data: Record<string, unknown>): void {
  for (const l of listeners) {
    try {
      l({ type, data });
    } catch (err) {
      logger.error(`a listener of ${type} failed`, { component: "runtime", err });
    }
  }
}

let processContext: NodeContext | null = null;

/**
 * The context of a process that runs no node (the CLI, test processes, the seed before the node
 * starts): admin actions go to a chain of this process (`cli:<host>:<pid>`), and there are no caches to
 * update, no barrier to wait for and no listeners (the nodes get the change through their change feed).
 */
export function noNode(): NodeContext {
  processContext ??= {
    adminChain: new AuditChain(`cli:${hostname()}:${process.pid}`),
    applyChange: async () => {},
    sync: async () => {},
    emit: () => {},
  };
  return processContext;
}
