"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ApiResult } from "@/components/api/call-api";
import { ErrorMessage } from "./fields";
import { SecretOnce } from "./secret-once";

/** What a created secret shows: SecretOnce's props. */
type Shown = { label: string; secret: string; extra?: React.ReactNode };

/**
 * The console's one "create a secret, show it once" form (personal tokens, agent keys, users, agents):
 * on submit it calls `create` with the form's fields (which goes through `callApi`), shows the API's
 * error or the secret once (`show`; null shows nothing), clears the form unless `keepValues`, and
 * refreshes the page's server data. The secret lives only in this component's state: a reload forgets it.
 * `children` are the fields and the submit button (a function of `pending` to disable it while the call
 * runs); `errorInForm` puts the error inside the form, in a box of that class, instead of under it.
 */
export function SecretForm<T>({
  label,
  className,
  create,
  show,
  keepValues,
  errorInForm,
  children,
}: {
  label: string;
  className: string;
  create: (form: FormData) => Promise<ApiResult<T>>;
  show: (created: T) => Shown | null;
  keepValues?: boolean;
  errorInForm?: string;
  children: React.ReactNode | ((pending: boolean) => React.ReactNode);
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<T | null>(null);
  const [pending, setPending] = useState(false);
  const shown = created === null ? null : show(created);
  return (
    <div className="space-y-3">
      <form
        aria-label={label}
        className={className}
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          setPending(true);
          const r = await create(new FormData(form));
          setPending(false);
          if (!r.ok) return setError(r.error);
          setError(null);
          setCreated(r.data);
          if (!keepValues) form.reset();
          router.refresh();
        }}
      >
        {typeof children === "function" ? children(pending) : children}
        {errorInForm !== undefined && (
          <div className={errorInForm}>
            <ErrorMessage error={error} />
          </div>
        )}
      </form>
      {errorInForm === undefined && <ErrorMessage error={error} />}
      {shown && <SecretOnce {...shown} />}
    </div>
  );
}
