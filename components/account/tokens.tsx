"use client";

import { Timestamp } from "@/components/time/timestamp";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, inputClass } from "@/components/forms/fields";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { SecretForm } from "@/components/forms/secret-form";
import { formText } from "@/components/forms/form-text";

type Created = { keyId: string; secret: string; expiresAt: string | null };

export function CreateTokenForm() {
  return (
    <SecretForm<Created>
      label="Create a personal API token"
      className="flex flex-wrap items-end gap-2"
      create={(f) => callApi<Created>("POST", "/api/v1/account/tokens", { name: formText(f, "name").trim(), expires_in_days: Number(f.get("days")) })}
      show={(c) => ({
        label: `Token ${c.keyId}`,
        secret: c.secret,
        extra: (
          <p className="mt-2 text-xs text-slate-700">
            Send it as <code>Authorization: Bearer …</code> to the API or set <code>MANDATE_TOKEN</code> for the CLI. It acts with your role and expires{" "}
            <Timestamp at={c.expiresAt} empty="never" />.
          </p>
        ),
      })}
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
    </SecretForm>
  );
}

export function RevokeTokenButton({ keyId, name }: { keyId: string; name: string }) {
  return (
    <ConfirmAction
      label="Revoke"
      title={`Revoke token “${name}”?`}
      details={
        <p>
          Requests with <span className="font-mono">{keyId}</span> are refused from now on. Anything using it (scripts, CI) stops working.
        </p>
      }
      confirmLabel="Revoke token"
      path={`/api/v1/account/tokens/${seg(keyId)}/revoke`}
    />
  );
}
