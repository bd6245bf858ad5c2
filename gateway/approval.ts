/**
 * Waiting for a human decision on a require_approval outcome: poll GET /api/v1/approvals/{id} until it is
 * no longer pending or the configured wait is over, sending notifications/progress meanwhile (when the
 * client gave a progressToken) so that a client which resets its timeout on progress keeps waiting.
 */
import type { MandateClient } from "./mandate-client.ts";

export type ApprovalWaitOutcome = { status: "approved" | "denied" | "expired" | "used" } | { status: "pending"; waitedMs: number; lastError?: string };

export async function waitForApproval(opts: {
  mandate: MandateClient;
  approvalId: string;
  waitMs: number;
  pollMs: number;
  signal: AbortSignal;
  onProgress?: (tick: number, message: string) => void;
}): Promise<ApprovalWaitOutcome> {
  const started = Date.now();
  const deadline = started + opts.waitMs;
  let tick = 0;
  let lastError: string | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { status: "pending", waitedMs: Date.now() - started, lastError };
    await sleep(Math.min(opts.pollMs, remaining), opts.signal);
    if (opts.signal.aborted) throw new Error("cancelled by the client while waiting for approval");
    try {
      const a = await opts.mandate.getApproval(opts.approvalId, opts.signal);
      lastError = undefined;
      if (a.status !== "pending") return { status: a.status };
      tick++;
      opts.onProgress?.(tick, `waiting for a human to decide approval ${opts.approvalId} (expires at ${a.expires_at})`);
    } catch (e) {
      if (opts.signal.aborted) throw new Error("cancelled by the client while waiting for approval");
      lastError = (e as Error).message; // keep waiting: Mandate may come back before the deadline
      tick++;
      opts.onProgress?.(tick, `waiting for approval ${opts.approvalId}; Mandate not answering: ${lastError}`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
