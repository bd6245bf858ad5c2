"use client";

import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { useRef, useState } from "react";
import { ConfirmButton, ConfirmDialog } from "@/components/forms/confirm-button";
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

/** What each role may do, as the confirmation of a role change says it. */
const ROLE_POWERS: Record<string, string> = {
  admin: "everything, including users, keys, policies and publishing",
  analyst: "review sessions, decide approvals, search and export the audit, block tools",
  viewer: "read only",
};

/**
 * A user's role: choosing another one asks for confirmation (what the user will and will no longer be
 * able to do), then says that it changed. Cancel or Escape leaves the role as it was.
 */
export function RoleSelect({ userId, role, email }: { userId: string; role: string; email: string }) {
  const { error, run } = useApiAction();
  const dialog = useRef<HTMLDialogElement>(null);
  const [wanted, setWanted] = useState<string>(role);
  const [changed, setChanged] = useState<string | null>(null);
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select
        id={`role-${userId}`}
        value={role}
        onChange={(e) => {
          setWanted(e.target.value);
          setChanged(null);
          dialog.current?.showModal();
        }}
        className="rounded border border-slate-400 bg-white px-2 py-1 text-sm"
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ConfirmDialog
        dialogRef={dialog}
        title={`Change the role of ${email}?`}
        confirmLabel={`Make ${wanted}`}
        danger={wanted === "admin"}
        onConfirm={async () => {
          if (await run(`/api/v1/users/${seg(userId)}/role`, { role: wanted })) setChanged(wanted);
        }}
        details={
          <>
            <p>
              From <strong>{role}</strong> ({ROLE_POWERS[role]}) to <strong>{wanted}</strong> ({ROLE_POWERS[wanted]}).
            </p>
            <p className="mt-2">It applies from their next request, in every console session and API token they have, and is recorded in the audit log.</p>
          </>
        }
      />
      {changed && (
        <p role="status" className="text-xs text-emerald-800">
          Role changed to {changed}
        </p>
      )}
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
