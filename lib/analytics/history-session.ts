/**
 * One simulated session of the history generator: its step times, owner and delegation chain, the
 * labels it accumulates, and the audit entries (decision, outcome event, approval, delegation,
 * termination) each step produces — made by the builders of lib/audit/entries, as a node makes them.
 */
import { randomUUID } from "node:crypto";
import type { EventWrite } from "../audit/chain.ts";
import {
  APPROVAL_DECIDED_ENTRY,
  APPROVAL_EXPIRED_ENTRY,
  decisionEntry,
  DELEGATION_ISSUE_ENTRY,
  entryAt,
  outcomeEntry,
  SESSION_TERMINATE_ENTRY,
  type DecisionFacts,
} from "../audit/entries/index.ts";
import type { AuditEntryInput } from "../audit/hash.ts";
import { APPROVER_ROLE, INITIATORS, logNormal, pick, type Rand, type SimDecision, type SimTool } from "./history-sim.ts";

export interface Agent {
  id: string;
  name: string;
  /** The key it authenticates with (recorded in its decisions). */
  keyId: string;
}

interface Hop {
  id: string;
  agent: Agent;
  scopes: string[];
  chain: Agent[];
}

export interface Call {
  agent: Agent;
  toolKey: string;
  args: Record<string, unknown> | null;
  hop: Hop | null;
  scopes: string[] | null;
  approvalId: string | null;
}

const SCOPES: Record<string, string[]> = {
  "support-assistant": ["tool:crm/*", "tool:web/*", "tool:mail/send_email", "tool:files/read_file"],
  "ops-agent": ["tool:files/*", "tool:web/fetch_url"],
};

export class SessionSim {
  readonly id: string;
  readonly steps: number;
  step = 0;
  labels: string[] = [];
  toolsUsed = new Set<string>();
  denies = 0;
  approvalsN = 0;
  readonly initiator: string | null;
  private readonly times: number[];
  private readonly hops: Hop[] = [];
  private retry: { toolKey: string; args: Record<string, unknown>; approval: { id: string; status: string }; hop: Hop | null } | null = null;
  private terminated: { at: string; by: string; reason: string } | null = null;
  private readonly activeNow: boolean;

  constructor(private readonly o: { r: Rand; index: number; steps: number; owner: Agent; sub: Agent | null; start: number; now: number; activeNow: boolean }) {
    const r = o.r;
    this.steps = o.steps;
    this.activeNow = o.activeNow;
    const gaps = Array.from({ length: o.steps }, () => logNormal(r, 6_000, 1));
    const total = gaps.reduce((s, g) => s + g, 0);
    const span = o.now - o.start - 60_000;
    const scale = total > span * 0.9 ? (span * 0.9) / total : 1;
    const duration = total * scale;
    const end = o.activeNow ? o.now - r() * 8 * 60_000 : o.start + duration + r() * (span - duration);
    let t = end - duration;
    this.times = gaps.map((g) => (t += g * scale) - g * scale);
    const day = new Date(this.times[0]).toISOString().slice(0, 10).replace(/-/g, "");
    this.id = `s-${o.steps >= 5000 ? "long" : day}-${o.index}-${Math.floor(r() * 1e9).toString(36)}`;
    this.initiator = r() < 0.85 ? pick(r, INITIATORS) : null;
    const scopes = SCOPES[o.owner.name];
    if (this.initiator && scopes && r() < 0.4) {
      const hop1: Hop = { id: randomUUID(), agent: o.owner, scopes, chain: [o.owner] };
      this.hops.push(hop1);
      if (o.owner.name === "support-assistant" && o.sub && r() < 0.6) {
        this.hops.push({ id: randomUUID(), agent: o.sub, scopes: ["tool:web/fetch_url", "tool:files/read_file"], chain: [o.owner, o.sub] });
      }
    }
  }

  nextAt(): number {
    return this.times[this.step];
  }

  /** The delegation entries at the session's start; the delegation rows go into `rows`. */
  delegationEntries(rows: unknown[]): AuditEntryInput[] {
    const at = this.times[0] - 2_000;
    const expires = new Date(this.times[this.times.length - 1] + 3_600_000).toISOString();
    return this.hops.map((h, i) => {
      const by = i === 0 ? `user:${this.initiator}` : `agent:${this.hops[i - 1].agent.name}`;
      const chain = h.chain.map((a) => ({ agent_id: a.id, name: a.name }));
      rows.push({
        id: h.id,
        parent_id: i === 0 ? null : this.hops[i - 1].id,
        session_id: this.id,
        subject: this.initiator,
        agent_id: h.agent.id,
        chain,
        depth: i + 1,
        scopes: h.scopes,
        audience: null,
        expires_at: expires,
        revoked_at: null,
        created_at: new Date(at + i * 500).toISOString(),
        created_by: by,
      });
      const draft = DELEGATION_ISSUE_ENTRY.entry({
        actor: by,
        session_id: this.id,
        agent_id: h.agent.id,
        data: {
          jti: h.id,
          parent: i === 0 ? null : this.hops[i - 1].id,
          on_behalf_of: this.initiator!,
          to: h.agent.name,
          chain: h.chain.map((a) => a.name),
          depth: i + 1,
          scopes: h.scopes,
          expires_at: expires,
          audience: null,
          via: i === 0 ? "seed-history" : `delegation:${this.hops[i - 1].id}`,
        },
      });
      return entryAt(draft, new Date(at + i * 500).toISOString());
    });
  }

  nextCall(choose: (persona: string) => string): Call {
    if (this.retry) {
      const x = this.retry;
      this.retry = null;
      x.approval.status = "used";
      const agent = x.hop?.agent ?? this.o.owner;
      return { agent, toolKey: x.toolKey, args: x.args, hop: x.hop, scopes: x.hop?.scopes ?? null, approvalId: x.approval.id };
    }
    const useSub = this.hops.length > 1 && this.o.r() < 0.35;
    const hop = useSub ? this.hops[1] : (this.hops[0] ?? null);
    const agent = hop?.agent ?? this.o.owner;
    return { agent, toolKey: choose(agent.name), args: null, hop, scopes: hop?.scopes ?? null, approvalId: null };
  }

  record(
    atMs: number,
    call: Call,
    sim: SimDecision,
    tool: SimTool | undefined,
    redacted: unknown,
    redactions: DecisionFacts["redactions"],
    argsHash: string,
    approvals: Array<Record<string, unknown>>,
    rawArgs: Record<string, unknown>,
    approver: string,
  ): Array<{ entry: AuditEntryInput; event?: EventWrite }> {
    const r = this.o.r;
    this.step++;
    const step = this.step;
    const at = new Date(atMs).toISOString();
    const decisionId = randomUUID();
    const before = this.labels;
    const [server, name] = call.toolKey.split("/");
    let approvalPending: { id: string; expires_at: string } | undefined;
    const out: Array<{ entry: AuditEntryInput; event?: EventWrite }> = [];
    const common = { session_id: this.id, agent_id: call.agent.id, tool: call.toolKey, decision_id: decisionId };
    if (sim.outcome === "allow") {
      if (tool) this.labels = [...new Set([...before, ...tool.labels])].sort();
      this.toolsUsed.add(call.toolKey);
    } else if (sim.outcome === "deny") this.denies++;
    else {
      this.approvalsN++;
      const id = randomUUID();
      const expires = atMs + 15 * 60_000;
      const nextAt = step < this.steps ? this.times[step] : atMs + 20 * 60_000;
      const pending = atMs > this.o.now - 15 * 60_000;
      const fate = pending ? "pending" : r() < 0.7 ? "approved" : r() < 0.6 ? "denied" : "expired";
      const decidedMs = fate === "expired" ? expires : atMs + Math.min(logNormal(r, 90_000, 1), Math.max(1_000, (nextAt - atMs) * 0.8), 14 * 60_000);
      const row: Record<string, unknown> = {
        id,
        decision_id: decisionId,
        session_id: this.id,
        step,
        agent_id: call.agent.id,
        tool: call.toolKey,
        args_hash: argsHash,
        reasons: sim.reasons,
        status: fate,
        expires_at: new Date(expires).toISOString(),
        decided_by: fate === "approved" || fate === "denied" ? approver.replace(/^user:/, "") : null,
        decided_at: fate === "pending" ? null : new Date(decidedMs).toISOString(),
        comment: fate === "approved" ? "checked with the requester" : fate === "denied" ? "not needed for this ticket" : null,
        created_at: at,
      };
      approvals.push(row);
      approvalPending = { id, expires_at: row.expires_at as string };
      if (fate !== "pending") {
        const decidedAt = row.decided_at as string;
        const draft =
          fate === "expired"
            ? APPROVAL_EXPIRED_ENTRY.entry({
                actor: "system",
                ...common,
                outcome: "expired",
                data: { approval_id: id, step, args_sha256: argsHash, expires_at: row.expires_at as string },
              })
            : APPROVAL_DECIDED_ENTRY.entry({
                action: fate === "approved" ? "approval.approve" : "approval.deny",
                actor: approver,
                ...common,
                outcome: fate,
                data: {
                  approval_id: id,
                  decision: fate === "approved" ? "approve" : "deny",
                  decided_by: row.decided_by as string,
                  role: APPROVER_ROLE[approver] ?? "analyst",
                  comment: row.comment as string | null,
                  step,
                  args_sha256: argsHash,
                },
              });
        out.push({ entry: entryAt(draft, decidedAt) });
        if (fate === "approved" && step < this.steps)
          this.retry = { toolKey: call.toolKey, args: rawArgs, approval: row as { id: string; status: string }, hop: call.hop };
      }
    }
    const hop = call.hop;
    const delegation: DecisionFacts["delegation"] = hop
      ? {
          present: true,
          tokenId: hop.id,
          depth: hop.chain.length,
          chain: hop.chain.map((a) => ({ agent_id: a.id, name: a.name })),
          onBehalfOf: this.initiator,
          scopes: hop.scopes,
        }
      : { present: false, tokenId: null, depth: 0, chain: [], onBehalfOf: null, scopes: [] };
    const reasons =
      call.approvalId && sim.outcome === "allow"
        ? [{ policy: "mandate.approval", message: `approved by a human (approval ${call.approvalId})` }, ...sim.reasons]
        : sim.reasons;
    out.unshift({
      entry: decisionEntry({
        decisionId,
        at,
        method: "tools/call",
        outcome: sim.outcome,
        agent: { agentId: call.agent.id, keyId: call.agent.keyId, name: call.agent.name },
        toolKey: call.toolKey,
        tool: tool
          ? { server, name, status: tool.status as "pending" | "approved" | "rejected", effect: tool.effect, risk: tool.risk, labels: tool.labels }
          : { server, name, status: "unknown" },
        session: { foreign: false, id: this.id, step, initiator: this.initiator, initiatorVerified: this.hops.length > 0, labelsBefore: before },
        approvalPending,
        approvalUsed: call.approvalId ?? undefined,
        arguments: redacted,
        argumentsHash: argsHash,
        delegation,
        errors: [],
        reasons,
        latencyUs: Math.round(logNormal(r, 450, 0.6)),
        policyVersion: "mcp@v1",
        redactions,
        requestId: null,
      }),
    });
    if (sim.outcome === "allow") {
      const ok = r() < 0.95;
      const duration = Math.round(logNormal(r, 150, 1.2) * 10) / 10;
      const eventId = randomUUID();
      const eAt = new Date(atMs + duration).toISOString();
      const status = ok ? "success" : "error";
      const resultSize = ok ? Math.floor(logNormal(r, 2000, 1)) : null;
      const error = ok ? null : pick(r, ["timeout after 30s", "HTTP 502 from upstream", "permission denied"]);
      out.push({
        entry: outcomeEntry({
          agent: { agentId: call.agent.id, name: call.agent.name },
          decision: { decision_id: decisionId, session_id: this.id, step, tool: call.toolKey },
          event: { event_id: eventId, status, duration_ms: duration, result_size: resultSize ?? undefined },
          error,
          redactions: [],
          at: eAt,
        }),
        event: { event_id: eventId, decision_id: decisionId, status, duration_ms: duration, result_size: resultSize, error, received_at: eAt },
      });
    }
    return out;
  }

  /** After the last step: some sessions are terminated by an analyst (an audited admin action). */
  finish(r: Rand, by: string): AuditEntryInput | null {
    if (this.activeNow || r() > 0.02) return null;
    const at = new Date(this.times[this.times.length - 1] + 60_000).toISOString();
    const reason = pick(r, ["repeated attempts to send customer data externally", "agent looping on a denied tool", "requested by the data owner"]);
    this.terminated = { at, by, reason };
    return entryAt(SESSION_TERMINATE_ENTRY.entry({ actor: by, session_id: this.id, agent_id: this.o.owner.id, data: { reason } }), at);
  }

  row(): unknown[] {
    const last = this.times[this.times.length - 1];
    return [
      this.id,
      this.o.owner.id,
      this.initiator,
      this.hops.length > 0,
      this.step,
      [...this.toolsUsed].sort(),
      this.labels,
      this.terminated ? "terminated" : "active",
      this.terminated?.at ?? null,
      this.terminated?.reason ?? null,
      this.terminated?.by ?? null,
      new Date(this.times[0]),
      new Date(last),
      this.denies,
      this.approvalsN,
    ];
  }
}
