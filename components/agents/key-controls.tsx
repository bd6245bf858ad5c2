"use client";

import { formatTimestamp } from "@/lib/console/time";
import { useDisplayZone } from "@/components/time/zone";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, inputClass } from "@/components/forms/fields";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { SecretForm } from "@/components/forms/secret-form";

type Created = { apiKey: string; keyId: string; expiresAt: string };

/** `maxDays`/`defaultDays`: the server's limits for agent keys (lib/identity/key-lifetime.ts), `setting` the variable that sets the maximum. */
export function CreateKeyForm({ agent, maxDays, defaultDays, setting }: { agent: string; maxDays: number; defaultDays: number; setting: string }) {
  const zone = useDisplayZone();
  return (
    <SecretForm<Created>
      label="Create an API key"
      className="flex flex-wrap items-end gap-2"
      keepValues
      create={(f) => callApi<Created>("POST", `/api/v1/agents/${seg(agent)}/keys`, { expires_in_days: Number(f.get("days")) })}
      show={(c) => ({ label: `New key ${c.keyId} (expires ${formatTimestamp(c.expiresAt, zone)})`, secret: c.apiKey })}
    >
      <label className="text-sm font-medium">
        Expires in (days)
        <input
          name="days"
          type="number"
          min={1}
          max={maxDays}
          required
          defaultValue={String(defaultDays)}
          aria-describedby="key-days-hint"
          className={`${inputClass} w-32`}
        />
      </label>
      <button type="submit" className={buttonClass}>
        Create key
      </button>
      <p id="key-days-hint" className="w-full text-xs text-slate-600">
        1 to {maxDays} days: agent keys live at most {maxDays} days on this deployment ({setting}).
      </p>
    </SecretForm>
  );
}

export function RevokeKeyButton({ keyId, agent }: { keyId: string; agent: string }) {
  return (
    <ConfirmAction
      label="Revoke"
      title={`Revoke ${keyId}?`}
      details={
        <p>
          Every call made with this key by <strong>{agent}</strong> is refused from its next request, on every node. This cannot be undone: create a new key if
          the agent still needs one.
        </p>
      }
      confirmLabel="Revoke key"
      path={`/api/v1/keys/${seg(keyId)}/revoke`}
    />
  );
}
