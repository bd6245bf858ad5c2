/**
 * The decision path (POST /api/v1/decisions). Stages:
 *   1. (caller) authenticate the agent key → AgentPrincipal; validate the body with zod
 *   2. resolve the tool (inventory cache), the active policy (policy cache), the delegation chain
 *   3. take the session's in-node lock and read its state (cache, PostgreSQL as the truth)
 *   4. built-in checks (suspended agent, terminated/foreign session, unknown/unapproved/blocked tool,
 *      delegation scope and call budget) → deny with a reason; otherwise Cedar (worker thread)
 *   5. approval gates → require_approval (a pending Approval) or allow with an approved Approval
 *   6. redact the arguments, build the audit entry and the new session state
 *   7. group-commit them (one round trip for the whole batch; an allow's receipt is signed meanwhile);
 *      on a session conflict re-read and re-evaluate; only then answer (with the receipt for an allow)
 * Traced (lib/telemetry/tracing.ts): the request's span gets the decision's attributes, and the stages
 * their child spans `mandate.session` (3), `mandate.cedar` (4–5) and `mandate.commit` (7); a sampled
 * trace's id is kept in the decision's audit entry (`trace_id`).
 */
import { hash, randomUUID } from "node:crypto";
import type { DecisionRequest, DecisionResponse } from "../api/schemas.ts";
import { ConflictError, type ApprovalWrite, type CommitJob } from "../audit/chain.ts";
import { decisionEntry } from "../audit/entries/index.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { MandateError } from "../errors.ts";
import { redactArguments } from "../redaction/index.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { canonicalJson } from "../util/canonical-json.ts";
import { NO_DELEGATION, ZERO_COUNTERS, type CallCounters } from "./mcp-request.ts";
import { countAllowed, sessionCounterView } from "../counters/session-counters.ts";
import { retryAfter } from "../counters/retry-after.ts";
import { counterUse } from "../counters/counter-policies.ts";
import { spendBudgets } from "../delegation/budget.ts";
import { resolveTarget } from "./target.ts";
import { keepReplayValues } from "../policy/replay-values.ts";
import { observeDecision } from "../telemetry/metrics.ts";
import { logger } from "../telemetry/log.ts";
import { endWithError, sampledTraceId, setSpanError, SPAN_KIND, startSpan, type Span } from "../telemetry/tracing.ts";
import { isForeignAttempt, precheck } from "./precheck.ts";
import { evaluate, type Evaluated } from "./evaluate.ts";
import { decisionAttributes, endCedarSpan } from "./decision-span.ts";

export { isForeignAttempt, precheck, scopeAllows, toolTarget } from "./precheck.ts";

export const MCP_STORE = "mcp";
const MAX_ATTEMPTS = 8;
/**
 * Conflicts come from another node moving the same session. That node's next decision starts from a
 * warm cache while ours re-reads, so a fixed number of immediate retries can starve one node while the
 * other has a backlog: after MAX_ATTEMPTS, keep retrying with jittered back-off until this budget.
 */
const CONTENTION_BUDGET_MS = 10_000;
const contentionPause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(25, 2 ** attempt)));

export function argumentsHash(args: unknown): string {
  // crypto.hash (one-shot) costs ~0.8 µs less than createHash for a small input.
  return hash("sha256", canonicalJson(args ?? {}), "hex");
}

/**
 * `req.arguments` must have passed the argument rules of lib/util/exact-json.ts (the native route checks
 * them as it parses the body, the AuthZEN MCP profile as it parses properties and context): what is
 * hashed, decided, stored and receipted here is then exactly what the caller sent.
 */
export async function decide(rt: Runtime, agent: AgentPrincipal, req: DecisionRequest, span?: Span): Promise<DecisionResponse> {
  const t0 = process.hrtime.bigint();
  // `span`: the request's, when traces are on and the request is sampled (lib/http/route.ts); the stages
  // are its children. Undefined otherwise: then each stage tests it once and starts nothing.
  const [target, store] = await Promise.all([resolveTarget(rt, req), rt.policies.get(MCP_STORE)]);
  const tool = target.item;
  const policy = store.active;
  let delegation = NO_DELEGATION;
  let delegationError: string | null = null;
  if (req.delegation_token) {
    const v = await rt.delegation.verifier.verify(req.delegation_token, agent);
    if (v.ok && v.view.sessionId && v.view.sessionId !== req.session.id) {
      delegationError = `delegation token was issued for session ${v.view.sessionId}, not ${req.session.id}`;
    } else if (v.ok) delegation = v.view;
    else delegationError = v.message;
  }
  const argsHash = argumentsHash(target.args);
  const sessionId = req.session.id;

  let sessionSpan = span ? startSpan("mandate.session", SPAN_KIND.internal, { "mandate.session_id": sessionId }, span) : undefined;
  return rt.sessions.withLock(sessionId, async () => {
    const started = Date.now();
    for (let attempt = 0; attempt < MAX_ATTEMPTS || Date.now() - started < CONTENTION_BUDGET_MS; attempt++) {
      if (span && attempt > 0)
        sessionSpan = startSpan("mandate.session", SPAN_KIND.internal, { "mandate.session_id": sessionId, "mandate.attempt": attempt }, span);
      const session = await rt.sessions.get(sessionId);
      sessionSpan?.end();
      const now = Date.now();
      const pre = precheck(agent, session, tool, target, delegation, delegationError);
      // Counters (lib/counters): the session's exact ones from its state, the agent's from this process's
      // view; this call is counted for the agent now (concurrent decisions see it) and uncounted unless allowed.
      // Methods about a whole server (initialize, logging, tasks, the server's own requests) are no calls of
      // a tool: they see zero counters and are not counted (as AuthZEN's server methods), so a rate limit
      // never keeps a gateway from starting.
      const serverLevel = tool?.kind === "server";
      const sessionView = sessionCounterView(session.counters, target.key, argsHash, now);
      const counters: CallCounters = serverLevel
        ? ZERO_COUNTERS
        : {
            session: { toolCalls: sessionView.toolCalls, identicalCalls: sessionView.identicalCalls, consecutiveFailures: session.consecutiveFailures ?? 0 },
            agent: rt.agentCounters.view(agent.agentId, target.key, now),
          };
      const counted = serverLevel ? null : rt.agentCounters.count(agent.agentId, target.key, now);
      let ev: Evaluated;
      if (pre.length) ev = { decision: "deny", reasons: pre, errors: [] };
      else if (!policy)
        ev = { decision: "deny", reasons: [{ policy: "mandate.no_active_policy", message: "no policy version is active: failing closed" }], errors: [] };
      else if (rt.agentCounters.stale(now) && counterUse(policy).readsAgentCounters)
        ev = {
          decision: "deny",
          reasons: [
            { policy: "mandate.counters_unavailable", message: "the per-agent call counters could not be kept in step with the other nodes: failing closed" },
          ],
          errors: [],
        };
      else {
        const cedarSpan = span ? startSpan("mandate.cedar", SPAN_KIND.internal, { "mandate.policy_version": policy.label }, span) : undefined;
        try {
          ev = await evaluate(rt, policy, store.shadow, agent, tool!, target, session, delegation, argsHash, now, counters);
        } catch (err) {
          if (counted) rt.agentCounters.uncount(counted);
          endWithError(cedarSpan, err);
          throw err;
        }
        if (cedarSpan) endCedarSpan(cedarSpan, ev);
      }
      if (ev.decision !== "allow" && counted) rt.agentCounters.uncount(counted);
      const retry =
        ev.decision === "deny" && policy
          ? retryAfter(rt, counterUse(policy), ev.reasons, counters, sessionView.identicalTimes, agent.agentId, target.key, now)
          : 0;

      const decisionId = randomUUID();
      // A foreign attempt is denied above (precheck) and is no step of the owner's session.
      const foreign = isForeignAttempt(agent, session, delegation);
      const step = session.stepCount + 1;
      const at = new Date(now).toISOString();
      const latencyUs = Number((process.hrtime.bigint() - t0) / 1000n);
      const toolKey = target.key;
      const initiator = delegation.onBehalfOf ?? req.session.initiator ?? null;
      const initiatorVerified = delegation.onBehalfOf !== null && delegation.present;
      const item = tool && tool.kind !== "server" ? tool : undefined;
      const { redacted, redactions } = redactArguments(target.args, { sensitiveArgs: item?.sensitiveArgs ?? [] });

      let approval: ApprovalWrite | undefined;
      if (ev.decision === "require_approval") {
        approval = {
          id: randomUUID(),
          decision_id: decisionId,
          session_id: sessionId,
          step,
          agent_id: agent.agentId,
          tool: toolKey,
          args_hash: argsHash,
          reasons: ev.reasons,
          expires_at: new Date(now + rt.config.approvalTtlSeconds * 1000).toISOString(),
          created_at: at,
        };
      }
      const allowed = ev.decision === "allow";
      // An allowed step adds its item's labels and key to the session; a server-level method neither
      // (it reads no item: a server's labels summarise its items, they did not flow).
      const labels = allowed && item ? union(session.labels, item.labels) : session.labels;
      const toolsUsed = allowed && item ? union(session.toolsUsed, [toolKey]) : session.toolsUsed;
      // Only an allowed call counts; the others leave the stored counters as they are (not sent).
      // An allowed call under a delegation also spends its lineage's call budgets (lib/delegation/budget.ts).
      const sessionCounters =
        allowed && !foreign && item
          ? spendBudgets(session.counters, countAllowed(session.counters, toolKey, argsHash, now, sessionView.key), delegation.budgets)
          : session.counters;
      const job: CommitJob = {
        // Every string of the request is storable: bodies holding NUL or an unpaired surrogate are
        // refused as they are parsed (lib/util/exact-json.ts), and redaction keeps it so.
        sanitized: true,
        entries: [
          decisionEntry({
            decisionId,
            at,
            outcome: ev.decision,
            agent,
            method: target.action,
            toolKey,
            tool: tool ?? { server: target.server, name: target.requested, status: "unknown" },
            // A foreign attempt's session has an owner (isForeignAttempt checked it).
            session: foreign
              ? { foreign: true, id: sessionId, ownerAgentId: session.agentId as string }
              : {
                  foreign: false,
                  id: sessionId,
                  step,
                  initiator: session.initiator ?? initiator,
                  initiatorVerified: session.initiatorVerified || initiatorVerified,
                  labelsBefore: session.labels,
                },
            approvalPending: approval,
            approvalUsed: ev.approvalUsed,
            arguments: redacted,
            argumentsHash: argsHash,
            delegation,
            errors: ev.errors,
            reasons: ev.reasons,
            latencyUs,
            policyVersion: policy?.label ?? "none",
            redactions,
            requestId: req.request_id ?? null,
            shadow: ev.shadow,
            traceId: span ? sampledTraceId(span) : undefined,
          }),
        ],
        sessions: foreign
          ? []
          : [
              {
                id: sessionId,
                agent_id: session.agentId ?? agent.agentId,
                expected: session.exists ? session.stepCount : 0,
                expected_status: session.status,
                expected_granted: session.approvalsGranted,
                step_count: step,
                labels,
                tools_used: toolsUsed,
                initiator,
                initiator_verified: initiatorVerified,
                denies: ev.decision === "deny" ? 1 : 0,
                approvals: ev.decision === "require_approval" ? 1 : 0,
                at,
                counters: allowed ? (sessionCounters as Record<string, unknown>) : undefined,
                // Checked by the commit when the policy reads it (an outcome ingested since is a conflict).
                expected_failures: policy && counterUse(policy).readsFailures ? (session.consecutiveFailures ?? 0) : undefined,
              },
            ],
        approvals: approval ? [approval] : [],
        approvalsUsed: ev.approvalUsed ? [ev.approvalUsed] : [],
      };
      // The receipt is signed while the batch commits (it is known before), and released only after.
      const receipt = allowed
        ? rt.receipts.sign({
            decision_id: decisionId,
            sid: sessionId,
            step,
            agent: agent.name,
            chain: delegation.chain.map((c) => c.name),
            sub: delegation.onBehalfOf ?? undefined,
            tool: toolKey,
            args_sha256: argsHash,
          })
        : null;
      receipt?.catch(() => {}); // awaited below; dropped if the commit conflicts
      const commitSpan = span ? startSpan("mandate.commit", SPAN_KIND.internal, undefined, span) : undefined;
      try {
        await rt.decisionChain.submit(job);
        commitSpan?.end();
      } catch (err) {
        if (allowed && counted) rt.agentCounters.uncount(counted);
        endWithError(commitSpan, err, err instanceof ConflictError ? "session_conflict" : undefined);
        if (err instanceof ConflictError) {
          rt.sessions.invalidate(sessionId);
          if (attempt > 0) await contentionPause(attempt);
          continue;
        }
        throw err;
      }
      if (item) rt.callCounter.add(item.id);
      // What-if replay needs the real values of redacted arguments: kept encrypted, only while an admin
      // set a retention (lib/policy/replay-values.ts). Auxiliary: never delays or fails the decision.
      if (redactions.length) {
        void keepReplayValues(decisionId, target.args, true, new Date(now)).catch((err: Error) =>
          logger.error(`could not keep the replay values of ${decisionId}`, { component: "replay", err }),
        );
      }
      // A foreign attempt changed nothing in the session: its cached state stays as it is.
      if (!foreign) {
        rt.sessions.set(
          Object.assign({}, session, {
            exists: true,
            agentId: session.agentId ?? agent.agentId,
            initiator: session.initiator ?? initiator,
            initiatorVerified: session.initiatorVerified || initiatorVerified,
            stepCount: step,
            labels,
            toolsUsed,
            counters: sessionCounters,
          }),
        );
      }
      const response: DecisionResponse = {
        decision: ev.decision,
        decision_id: decisionId,
        reasons: ev.reasons,
        ...(ev.errors.length ? { errors: ev.errors } : {}),
        policy_version: policy?.label ?? "none",
        session: { id: sessionId, step: foreign ? null : step },
      };
      if (retry > 0) response.retry_after = retry;
      if (approval) {
        response.approval = {
          id: approval.id,
          status: "pending",
          expires_at: approval.expires_at,
          poll_url: `${rt.config.publicUrl}/api/v1/approvals/${approval.id}`,
        };
        rt.emit("approval.created", { ...approval, agent: agent.name });
      }
      if (receipt) response.receipt = await receipt;
      // For a server-level method, its server's own setting (a sampling request's text is inspected too).
      if (allowed && tool?.detectorsOff?.length) response.detectors_off = tool.detectorsOff;
      observeDecision(ev.decision, ev.reasons, Number(process.hrtime.bigint() - t0) / 1e9);
      if (span) decisionAttributes(span, response, agent, target, step);
      return response;
    }
    setSpanError(span, "session_contention");
    throw new MandateError(503, "session_contention", `session ${sessionId} is changing too fast on several nodes; retry`);
  });
}

function union(a: string[], b: string[]): string[] {
  if (b.every((x) => a.includes(x))) return a;
  return [...new Set([...a, ...b])].sort();
}
