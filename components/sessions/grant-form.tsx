"use client";

import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { ErrorMessage, buttonClass, inputClass } from "@/components/forms/fields";
import { SecretOnce } from "@/components/forms/secret-once";

/**
 * Grant an agent delegated authority for this session: the first hop of a delegation chain, through
 * Mandate's RFC 8693 token endpoint (POST /api/v1/token). Your authority is proven by one of your
 * personal API tokens (Account → API tokens); the agent proves it is the one receiving authority
 * with its own API key. Neither is stored by the console; the delegation token is shown once, to hand
 * to the agent.
 */
export function GrantForm({ sessionId, tools }: { sessionId: string; tools: string[] }) {
  const [scopes, setScopes] = useState<string[]>([]);
  const [extra, setExtra] = useState("");
  const [subject, setSubject] = useState("");
  const [actor, setActor] = useState("");
  const [minutes, setMinutes] = useState("60");
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<{ token: string; expiresIn: number; scope: string } | null>(null);
  const all = [...scopes, ...extra.split(/\s+/).filter(Boolean)];
  return (
    <details className="rounded border border-slate-200 bg-white p-3" data-testid="grant-form">
      <summary className="cursor-pointer text-sm font-medium">Grant an agent delegated authority in this session</summary>
      <form
        className="mt-2 space-y-2"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          const form = new URLSearchParams({
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
            subject_token: subject.trim(),
            subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
            actor_token: actor.trim(),
            actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
            scope: all.join(" "),
            session_id: sessionId,
            expires_in: String(Math.round(Number(minutes) * 60)),
          });
          const r = await callApi<{ access_token: string; expires_in: number; scope: string }>("POST", "/api/v1/token", form);
          if (!r.ok && r.status === 0) return setError(r.error);
          if (!r.ok) {
            const body = (r.body ?? {}) as { error?: string; error_description?: string; detail?: string };
            return setError(`${body.error ?? r.status}: ${body.error_description ?? body.detail ?? "the grant was refused"}`);
          }
          setToken({ token: r.data.access_token, expiresIn: r.data.expires_in, scope: r.data.scope });
          setSubject("");
          setActor("");
        }}
      >
        <fieldset>
          <legend className="text-sm font-medium">Tools the agent may call on your behalf</legend>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {tools.map((t) => (
              <label key={t} className="flex items-center gap-1 text-sm">
                <input
                  type="checkbox"
                  checked={scopes.includes(`tool:${t}`)}
                  onChange={(e) => setScopes((s) => (e.target.checked ? [...s, `tool:${t}`] : s.filter((x) => x !== `tool:${t}`)))}
                />
                <span className="font-mono text-xs">{t}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <label className="block text-sm font-medium">
          More scopes (space-separated, e.g. <code>tool:crm/*</code>)
          <input className={inputClass} value={extra} onChange={(e) => setExtra(e.target.value)} />
        </label>
        <label className="block text-sm font-medium">
          Lifetime (minutes, at most 1440)
          <input className={inputClass} type="number" min={1} max={1440} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
        </label>
        <label className="block text-sm font-medium">
          Your personal API token (proves your authority; not stored)
          <input
            className={inputClass}
            type="password"
            autoComplete="off"
            required
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            placeholder="mnd_pt_…"
          />
        </label>
        <label className="block text-sm font-medium">
          The agent&apos;s API key (the agent receiving authority; not stored)
          <input
            className={inputClass}
            type="password"
            autoComplete="off"
            required
            value={actor}
            onChange={(e) => setActor(e.target.value)}
            placeholder="mnd_ak_…"
          />
        </label>
        <button type="submit" className={buttonClass} disabled={!all.length || !subject.trim() || !actor.trim()}>
          Grant
        </button>
        <ErrorMessage error={error} />
      </form>
      {token && (
        <SecretOnce
          label={`Delegation token (scope ${token.scope}, valid ${Math.round(token.expiresIn / 60)} min) for the agent to send as delegation_token`}
          secret={token.token}
        />
      )}
    </details>
  );
}
