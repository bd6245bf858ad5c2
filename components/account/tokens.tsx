"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { SecretOnce } from "@/components/forms/secret-once";
import { formText } from "@/components/forms/form-text";

export function CreateTokenForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ keyId: string; secret: string; expiresAt: string | null } | null>(null);
  return (
    <div className="space-y-3">
      <form
        aria-label="Create a personal API token"
        className="flex flex-wrap items-end gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const r = await callApi<{ keyId: string; secret: string; expiresAt: string | null }>("POST", "/api/v1/account/tokens", {
            name: formText(f, "name").trim(),
            expires_in_days: Number(f.get("days")),
          });
          if (!r.ok) return setError(r.error);
          setError(null);
          setCreated(r.data);
          (e.target as HTMLFormElement).reset();
          router.refresh();
        }}
      >
        <label className="text-sm font-medium">
          Name
          <input name="name" required maxLength={100} className={inputClass} placeholder="ci-pipeline" />
        </label>
        <label className="text-sm font-medium">
          Expires in (days)
          <input name="days" type="number" min={1} max={365} defaultValue={90} required className={`${inputClass} w-28`} />
        </label>
        <button type="submit" className={buttonClass}>
          Create token
        </button>
      </form>
      <ErrorMessage error={error} />
      {created && (
        <SecretOnce
          label={`Token ${created.keyId}`}
          secret={created.secret}
          extra={
            <p className="mt-2 text-xs text-slate-700">
              Send it as <code>Authorization: Bearer …</code> to the API or set <code>MANDATE_TOKEN</code> for the CLI. It acts with your role and expires{" "}
              {created.expiresAt?.slice(0, 10) ?? "never"}.
            </p>
          }
        />
      )}
    </div>
  );
}

export function RevokeTokenButton({ keyId, name }: { keyId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label="Revoke"
        danger
        title={`Revoke token “${name}”?`}
        details={
          <p>
            Requests with <span className="font-mono">{keyId}</span> are refused from now on. Anything using it (scripts, CI) stops working.
          </p>
        }
        confirmLabel="Revoke token"
        onConfirm={async () => {
          const r = await callApi("POST", `/api/v1/account/tokens/${seg(keyId)}/revoke`, {});
          if (!r.ok) setError(r.error);
          router.refresh();
        }}
      />
      <ErrorMessage error={error} />
    </>
  );
}
