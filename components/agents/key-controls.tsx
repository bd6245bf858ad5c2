"use client";

import { formatTimestamp } from "@/lib/console/time";
import { useDisplayZone } from "@/components/time/zone";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, inputClass } from "@/components/forms/fields";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { SecretForm } from "@/components/forms/secret-form";

type Created = { apiKey: string; keyId: string; expiresAt: string };

export function CreateKeyForm({ agent }: { agent: string }) {
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
        <input name="days" type="number" min={1} max={3650} required defaultValue="90" className={`${inputClass} w-32`} />
      </label>
      <button type="submit" className={buttonClass}>
        Create key
      </button>
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
