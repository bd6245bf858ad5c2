/**
 * Methods about a whole server, decided with the server as the target (issue 15 §1; docs/gateway.md,
 * "Every method decided"): initialize (before the upstream is started), logging/setLevel and tasks/*
 * from the client, and the requests a server sends to the client: sampling/createMessage,
 * elicitation/create and roots/list. Anything but an allow is a JSON-RPC error whose `data` is the
 * `mandate/error` object; Mandate unreachable: refused (fail closed). What a decided request carries is
 * passed on unchanged; its outcome is reported like a tool call's. An allowed sampling request is
 * inspected like a result before the client sees it (its messages and system prompt: detectors, `_meta`
 * labels); labels found are committed to the session first, and a request whose labels cannot be
 * committed is refused (issue 15 §2).
 */
import { McpError, type Result } from "@modelcontextprotocol/sdk/types.js";
import type { DecisionResponse, ServerAction } from "../lib/api/schemas.ts";
import type { GovernanceContext } from "./governance.ts";
import { META_DELEGATION, META_SESSION, metaString } from "./governance.ts";
import { MandateCallError } from "./mandate-client.ts";
import { observeResult } from "./observation.ts";
import * as R from "./results.ts";

/** The JSON-RPC error code of a request Mandate did not allow (the same as item-governance.ts's). */
export const MANDATE_REFUSED = -32003;

type Item = Record<string, unknown>;

export function refusal(r: R.ToolErrorResult): McpError {
  return new McpError(MANDATE_REFUSED, r.content[0].text, r._meta["mandate/error"]);
}

/**
 * What a server-level method's policies read as context.args (the rest of the request is passed on
 * unchanged, never decided on): logging/setLevel `level`; tasks/get, tasks/result, tasks/cancel
 * `taskId`; sampling/createMessage `includeContext` and `maxTokens`; elicitation/create `mode`
 * ("form" when absent) and a URL elicitation's `url`; initialize, tasks/list and roots/list nothing.
 * A parameter of the wrong type is left out (the server or client refuses the request itself).
 */
export function serverMethodArguments(method: ServerAction, params: Item | undefined): Record<string, unknown> {
  const p = params ?? {};
  const pick = (...keys: Array<[string, "string" | "number"]>) => {
    const out: Record<string, unknown> = {};
    for (const [k, t] of keys) if (typeof p[k] === t && (t !== "number" || Number.isSafeInteger(p[k]))) out[k] = p[k];
    return out;
  };
  switch (method) {
    case "logging/setLevel":
      return pick(["level", "string"]);
    case "tasks/get":
    case "tasks/result":
    case "tasks/cancel":
      return pick(["taskId", "string"]);
    case "sampling/createMessage":
      return pick(["includeContext", "string"], ["maxTokens", "number"]);
    case "elicitation/create":
      return { mode: typeof p.mode === "string" ? p.mode : "form", ...pick(["url", "string"]) };
    default:
      return {};
  }
}

export class ServerGovernance {
  constructor(private readonly ctx: GovernanceContext) {}

  /**
   * Asks Mandate about `method` on `server`; resolves with the decision when it is an allow, throws the
   * refusal otherwise. `meta`: the client request's `_meta` (its session and delegation token), absent
   * for a request the server sends (the connection's own session: a server cannot choose it).
   */
  async decide(server: string, method: ServerAction, params: Item | undefined, meta: Item | undefined, signal?: AbortSignal): Promise<DecisionResponse> {
    const token = metaString(meta, META_DELEGATION);
    const label = `${method} on server ${server}`;
    let d: DecisionResponse;
    try {
      d = await this.ctx.mandate.decide(
        {
          session: { id: metaString(meta, META_SESSION) ?? this.ctx.sessionId },
          action: method,
          server: { name: server },
          arguments: serverMethodArguments(method, params),
          ...(token ? { delegation_token: token } : {}),
        },
        signal,
      );
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof MandateCallError && e.status === 400 && e.problem) throw refusal(R.invalidArgumentsResult(label, e.problem));
      throw refusal(R.mandateUnavailableResult(label, e instanceof MandateCallError ? e.message : String(e)));
    }
    if (d.decision === "deny") throw refusal(R.deniedResult(label, d));
    if (d.decision === "require_approval") throw refusal(R.approvalPendingResult(label, d, 0));
    return d;
  }

  /**
   * What an allowed request the server sends carries into the client's model (sampling/createMessage:
   * `systemPrompt` and the messages' content): run through the detectors the decision does not turn off
   * and read for `_meta` labels, like a result. Labels found are committed to the session (with the
   * decision they came with, hence its step and method, and each label's detector or `_meta` key)
   * before this resolves; when they cannot be, the request is refused (fail closed). Other methods: nothing.
   */
  async inspectRequest(server: string, method: ServerAction, params: Item | undefined, d: DecisionResponse, signal: AbortSignal): Promise<void> {
    if (method !== "sampling/createMessage") return;
    const observed = await observeResult(this.ctx.mandate, method, params ?? {}, d, undefined, signal);
    if (!observed.ok) throw refusal(R.requestWithheldResult(`${method} from server ${server}`, d, observed.labels, observed.message));
  }

  /** Runs an allowed request and reports its outcome (success, or the error it ended with). */
  async reported<T extends Result>(d: DecisionResponse, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const event = { event_id: `${d.decision_id}:outcome`, decision_id: d.decision_id };
    try {
      const result = await run();
      this.ctx.reporter.record(this.ctx.mandate, {
        ...event,
        status: "success",
        duration_ms: performance.now() - t0,
        result_size: Buffer.byteLength(JSON.stringify(result)),
      });
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.reporter.record(this.ctx.mandate, { ...event, status: "error", duration_ms: performance.now() - t0, error: message.slice(0, 4000) });
      throw e;
    }
  }

  /** Makes the server known to the inventory (initialize is decided on a known server). Once per server and process. */
  async announce(server: string): Promise<void> {
    await this.ctx.inventory.announce(this.ctx.mandate, server);
  }
}
