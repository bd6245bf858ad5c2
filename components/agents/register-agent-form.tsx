"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { SecretOnce } from "@/components/forms/secret-once";

export function RegisterAgentForm({ owners, me }: { owners: string[]; me: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; apiKey: string | null; expiresAt: string | null } | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="space-y-3">
      <form
        aria-label="Register an agent"
        className="grid gap-3 rounded border border-slate-200 bg-white p-4 md:grid-cols-4"
        onSubmit={async (e) => {
          e.preventDefault();
          setPending(true);
          // Blank fields are left out (no owner, no team), as the form means them.
          const fields = [...new FormData(e.currentTarget)].filter(([, v]) => typeof v === "string" && v.trim() !== "");
          const r = await callApi<{ name: string; apiKey: string | null; expiresAt: string | null }>("POST", "/api/v1/agents", Object.fromEntries(fields));
          setPending(false);
          if (!r.ok) return setError(r.error);
          setError(null);
          setCreated(r.data);
          (e.target as HTMLFormElement).reset();
          router.refresh();
        }}
      >
        <label className="text-sm font-medium">
          Name
          <input
            name="name"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
            className={inputClass}
            placeholder="billing-assistant"
            aria-describedby="agent-name-hint"
          />
          <span id="agent-name-hint" className="text-xs font-normal text-slate-600">
            letters, digits, _ . -
          </span>
        </label>
        <label className="text-sm font-medium">
          Owner
          <select name="owner" defaultValue={me} className={inputClass}>
            <option value="">— no owner —</option>
            {owners.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Team
          <input name="team" className={inputClass} placeholder="support" />
        </label>
        <label className="text-sm font-medium md:col-span-4">
          Description
          <input name="description" className={inputClass} placeholder="What the agent does and for whom" />
        </label>
        <div className="md:col-span-4 flex items-center gap-3">
          <button type="submit" disabled={pending} className={buttonClass}>
            Register agent
          </button>
          <span className="text-xs text-slate-600">Its first API key expires in 90 days.</span>
        </div>
        <div className="md:col-span-4">
          <ErrorMessage error={error} />
        </div>
      </form>
      {created?.apiKey && (
        <SecretOnce
          label={`API key of ${created.name}`}
          secret={created.apiKey}
          extra={
            <p className="mt-2 text-xs text-slate-700">
              Expires {created.expiresAt?.slice(0, 10)}. Use it as <code>MANDATE_API_KEY</code> of the gateway acting for this agent.
            </p>
          }
        />
      )}
    </div>
  );
}
