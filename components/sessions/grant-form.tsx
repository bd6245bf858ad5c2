"use client";

import { callApi } from "@/components/api/call-api";
import { buttonClass, inputClass } from "@/components/forms/fields";
import { formText } from "@/components/forms/form-text";
import { SecretForm } from "@/components/forms/secret-form";

interface Granted {
  delegation_id: string;
  access_token: string;
  agent: string;
  scope: string;
  expires_in: number;
  max_calls?: number;
}

/**
 * Grant an agent your authority in this session: the console issues a delegation token for you, the
 * signed-in user, to the agent named here (POST /api/v1/sessions/:id/delegations; audited as
 * `delegation.issue`). No secret is typed into the page: your console session proves who you are, and
 * the token is usable by that agent only (the decision path accepts it only with that agent's own key).
 * It is shown once, to hand to the agent, and is revoked from "On whose authority".
 */
export function GrantForm({ sessionId, tools, agents }: { sessionId: string; tools: string[]; agents: string[] }) {
  return (
    <details className="rounded border border-slate-200 bg-white p-3" data-testid="grant-form">
      <summary className="cursor-pointer text-sm font-medium">Grant an agent delegated authority in this session</summary>
      <SecretForm<Granted>
        label="Grant delegated authority"
        className="mt-2 space-y-2"
        create={(f) =>
          callApi<Granted>("POST", `/api/v1/sessions/${encodeURIComponent(sessionId)}/delegations`, {
            agent: formText(f, "agent").trim(),
            scope: [...f.getAll("tool").map((t) => (typeof t === "string" ? `tool:${t}` : "")), ...formText(f, "extra").split(/\s+/)].filter(Boolean).join(" "),
            expires_in: Math.round(Number(formText(f, "minutes")) * 60),
            ...(formText(f, "max_calls").trim() ? { max_calls: Number(formText(f, "max_calls")) } : {}),
          })
        }
        show={(g) => ({
          label: `Delegation token for ${g.agent} (scope ${g.scope}, valid ${Math.round(g.expires_in / 60)} min${
            g.max_calls ? `, at most ${g.max_calls} calls` : ""
          }), for the agent to send as delegation_token; only ${g.agent} can use it`,
          secret: g.access_token,
        })}
      >
        {(pending) => (
          <>
            <label className="block text-sm font-medium">
              Agent receiving your authority
              <input className={inputClass} name="agent" required list={`grant-agents-${sessionId}`} autoComplete="off" defaultValue={agents[0] ?? ""} />
              <datalist id={`grant-agents-${sessionId}`}>
                {agents.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </label>
            <fieldset>
              <legend className="text-sm font-medium">Tools the agent may call on your behalf</legend>
              <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
                {tools.map((t) => (
                  <label key={t} className="flex items-center gap-1 text-sm">
                    <input type="checkbox" name="tool" value={t} />
                    <span className="font-mono text-xs">{t}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <label className="block text-sm font-medium">
              More scopes (space-separated, e.g. <code>tool:crm/*</code>)
              <input className={inputClass} name="extra" autoComplete="off" />
            </label>
            <label className="block text-sm font-medium">
              Lifetime (minutes, at most 1440)
              <input className={inputClass} name="minutes" type="number" min={1} max={1440} defaultValue={60} required />
            </label>
            <label className="block text-sm font-medium">
              Call budget (optional: allowed calls under this authority, onward delegations included)
              <input className={inputClass} name="max_calls" type="number" min={1} max={1_000_000_000} step={1} />
            </label>
            <button type="submit" className={buttonClass} disabled={pending}>
              Grant
            </button>
          </>
        )}
      </SecretForm>
    </details>
  );
}
