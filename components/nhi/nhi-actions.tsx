"use client";

import { callApi, seg } from "@/components/api/call-api";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { ErrorMessage, inputClass, secondaryButtonClass } from "@/components/forms/fields";
import { SecretForm } from "@/components/forms/secret-form";
import { formText } from "@/components/forms/form-text";
import { useApiAction } from "@/components/forms/use-api-action";

type Rotated = { apiKey?: string; key?: string; keyId?: string; key_id?: string };

/** Rotate an agent key or a PEP key: the new key shown once, the old one working `hours` more. */
export function RotateKeyForm({ keyId, kind }: { keyId: string; kind: "agent_key" | "pep_key" }) {
  const path = kind === "agent_key" ? `/api/v1/keys/${seg(keyId)}/rotate` : `/api/v1/pep-keys/${seg(keyId)}/rotate`;
  return (
    <SecretForm<Rotated>
      label={`Rotate ${keyId}`}
      className="flex items-end gap-2"
      create={(f) => callApi<Rotated>("POST", path, { overlap_seconds: Math.round(Number(f.get("hours")) * 3600) })}
      show={(c) => ({ label: `New key ${c.keyId ?? c.key_id ?? ""} (${keyId} stops working after the overlap)`, secret: c.apiKey ?? c.key ?? "" })}
    >
      <label className="text-xs">
        Overlap (hours)
        <input name="hours" type="number" min={0} max={168} step="any" required defaultValue="24" className={`${inputClass} w-20`} />
      </label>
      <button type="submit" className={secondaryButtonClass}>
        Rotate
      </button>
    </SecretForm>
  );
}

export function RevokeKey({ keyId, kind, owner }: { keyId: string; kind: "agent_key" | "pep_key"; owner: string }) {
  return (
    <ConfirmAction
      label="Revoke"
      title={`Revoke ${keyId}?`}
      details={<p>Every call made with this key by {owner} is refused from its next request, on every node.</p>}
      confirmLabel="Revoke key"
      path={kind === "agent_key" ? `/api/v1/keys/${seg(keyId)}/revoke` : `/api/v1/pep-keys/${seg(keyId)}/revoke`}
    />
  );
}

/** Give an agent an owner (an enabled user). */
export function AssignOwner({ agent, owners }: { agent: string; owners: string[] }) {
  const { error, run } = useApiAction();
  return (
    <form
      aria-label={`Assign an owner to ${agent}`}
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        void run(`/api/v1/agents/${seg(agent)}/owner`, { owner: formText(new FormData(e.currentTarget), "owner") });
      }}
    >
      <label className="text-xs">
        Owner
        <select name="owner" required className={`${inputClass} w-56`} defaultValue="">
          <option value="" disabled>
            choose a user
          </option>
          {owners.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className={secondaryButtonClass}>
        Assign owner
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** Make an agent federated-only: its static keys are revoked, and none can be created again. */
export function MakeFederatedOnly({ agent }: { agent: string }) {
  const { error, run } = useApiAction();
  return (
    <>
      <button type="button" className={secondaryButtonClass} onClick={() => void run(`/api/v1/agents/${seg(agent)}/federated-only`, { federated_only: true })}>
        Make {agent} federated-only
      </button>
      <ErrorMessage error={error} />
    </>
  );
}
