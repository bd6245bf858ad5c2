"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { SecretOnce } from "@/components/forms/secret-once";
import { formText } from "@/components/forms/form-text";

const ROLES = ["admin", "analyst", "viewer"] as const;

export function CreateUserForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  return (
    <div className="space-y-3">
      <form
        aria-label="Create a user"
        className="flex flex-wrap items-end gap-2 rounded border border-slate-200 bg-white p-4"
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const name = formText(f, "name").trim();
          const r = await callApi<{ email: string; password: string }>("POST", "/api/v1/users", {
            email: formText(f, "email").trim(),
            role: f.get("role"),
            ...(name ? { name } : {}),
          });
          if (!r.ok) return setError(r.error);
          setError(null);
          setCreated(r.data);
          (e.target as HTMLFormElement).reset();
          router.refresh();
        }}
      >
        <label className="text-sm font-medium">
          Email
          <input name="email" type="email" required className={inputClass} />
        </label>
        <label className="text-sm font-medium">
          Name
          <input name="name" className={inputClass} />
        </label>
        <label className="text-sm font-medium">
          Role
          <select name="role" defaultValue="viewer" className={inputClass}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={buttonClass}>
          Create user
        </button>
        <p className="basis-full text-xs text-slate-600">
          admin: everything · analyst: review sessions, approvals, audit, block tools · viewer: read only. Users from single sign-on are created at their first
          login.
        </p>
      </form>
      <ErrorMessage error={error} />
      {created && <SecretOnce label={`One-time password for ${created.email} (hand it over securely)`} secret={created.password} />}
    </div>
  );
}

export function RoleSelect({ userId, role, email }: { userId: string; role: string; email: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select
        id={`role-${userId}`}
        value={role}
        onChange={async (e) => {
          const r = await callApi("POST", `/api/v1/users/${seg(userId)}/role`, { role: e.target.value });
          setError(r.ok ? null : r.error);
          router.refresh();
        }}
        className="rounded border border-slate-400 bg-white px-2 py-1 text-sm"
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ErrorMessage error={error} />
    </div>
  );
}

export function DisableButton({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    const r = await callApi("POST", `/api/v1/users/${seg(userId)}/${disabled ? "enable" : "disable"}`, {});
    setError(r.ok ? null : r.error);
    router.refresh();
  };
  return (
    <>
      {disabled ? (
        <button type="button" onClick={run} className="rounded border border-slate-400 bg-white px-2 py-1 text-sm hover:bg-slate-100">
          Enable
        </button>
      ) : (
        <ConfirmButton
          label="Disable"
          danger
          title={`Disable ${email}?`}
          confirmLabel="Disable user"
          onConfirm={run}
          details={<p>Their console sessions end at their next click and their API tokens are refused from the next request. Their audit history stays.</p>}
        />
      )}
      <ErrorMessage error={error} />
    </>
  );
}
