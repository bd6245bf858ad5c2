"use client";

import { Timestamp } from "@/components/time/timestamp";
import { callApi } from "@/components/api/call-api";
import { buttonClass, inputClass } from "@/components/forms/fields";
import { SecretForm } from "@/components/forms/secret-form";

type Created = { name: string; apiKey: string | null; expiresAt: string | null };

export function RegisterAgentForm({ owners, me }: { owners: string[]; me: string }) {
  return (
    <SecretForm<Created>
      label="Register an agent"
      className="grid gap-3 rounded border border-slate-200 bg-white p-4 md:grid-cols-4"
      errorInForm="md:col-span-4"
      // Blank fields are left out (no owner, no team), as the form means them.
      create={(f) => callApi<Created>("POST", "/api/v1/agents", Object.fromEntries([...f].filter(([, v]) => typeof v === "string" && v.trim() !== "")))}
      show={(c) =>
        c.apiKey
          ? {
              label: `API key of ${c.name}`,
              secret: c.apiKey,
              extra: (
                <p className="mt-2 text-xs text-slate-700">
                  Expires <Timestamp at={c.expiresAt} />. Use it as <code>MANDATE_API_KEY</code> of the gateway acting for this agent.
                </p>
              ),
            }
          : null
      }
    >
      {(pending) => (
        <>
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
        </>
      )}
    </SecretForm>
  );
}
