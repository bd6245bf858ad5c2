"use client";

import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { SecretForm } from "@/components/forms/secret-form";
import { useApiAction } from "@/components/forms/use-api-action";
import { formText } from "@/components/forms/form-text";

const ROLES = ["admin", "analyst", "viewer"] as const;

type Created = { email: string; password: string };

export function CreateUserForm() {
  return (
    <SecretForm<Created>
      label="Create a user"
      className="flex flex-wrap items-end gap-2 rounded border border-slate-200 bg-white p-4"
      create={(f) => {
        const name = formText(f, "name").trim();
        return callApi<Created>("POST", "/api/v1/users", { email: formText(f, "email").trim(), role: f.get("role"), ...(name ? { name } : {}) });
      }}
      show={(c) => ({ label: `One-time password for ${c.email} (hand it over securely)`, secret: c.password })}
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
    </SecretForm>
  );
}

export function RoleSelect({ userId, role, email }: { userId: string; role: string; email: string }) {
  const { error, run } = useApiAction();
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select
        id={`role-${userId}`}
        value={role}
        onChange={(e) => run(`/api/v1/users/${seg(userId)}/role`, { role: e.target.value })}
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
  const { error, run: post } = useApiAction();
  const run = () => post(`/api/v1/users/${seg(userId)}/${disabled ? "enable" : "disable"}`);
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
