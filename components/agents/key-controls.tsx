"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { SecretOnce } from "@/components/forms/secret-once";

export function CreateKeyForm({ agent }: { agent: string }) {
  const router = useRouter();
  const [days, setDays] = useState("90");
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ apiKey: string; keyId: string; expiresAt: string } | null>(null);
  return (
    <div className="space-y-3">
      <form
        aria-label="Create an API key"
        className="flex flex-wrap items-end gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await callApi<{ apiKey: string; keyId: string; expiresAt: string }>("POST", `/api/v1/agents/${seg(agent)}/keys`, {
            expires_in_days: Number(days),
          });
          if (!r.ok) return setError(r.error);
          setError(null);
          setCreated(r.data);
          router.refresh();
        }}
      >
        <label className="text-sm font-medium">
          Expires in (days)
          <input type="number" min={1} max={3650} required value={days} onChange={(e) => setDays(e.target.value)} className={`${inputClass} w-32`} />
        </label>
        <button type="submit" className={buttonClass}>
          Create key
        </button>
      </form>
      <ErrorMessage error={error} />
      {created && <SecretOnce label={`New key ${created.keyId} (expires ${created.expiresAt.slice(0, 10)})`} secret={created.apiKey} />}
    </div>
  );
}

export function RevokeKeyButton({ keyId, agent }: { keyId: string; agent: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label="Revoke"
        danger
        title={`Revoke ${keyId}?`}
        details={
          <p>
            Every call made with this key by <strong>{agent}</strong> is refused from its next request, on every node. This cannot be undone: create a new key
            if the agent still needs one.
          </p>
        }
        confirmLabel="Revoke key"
        onConfirm={async () => {
          const r = await callApi("POST", `/api/v1/keys/${seg(keyId)}/revoke`, {});
          if (!r.ok) setError(r.error);
          router.refresh();
        }}
      />
      <ErrorMessage error={error} />
    </>
  );
}
