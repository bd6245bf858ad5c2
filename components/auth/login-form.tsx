"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Email or password is wrong, or the account is disabled.",
  NoRole: "Your identity provider account is not mapped to a Mandate role.",
  Disabled: "This account is disabled.",
  AccountNotLinked:
    "A Mandate account with this email exists, but it was not linked to your identity provider account: the provider did not verify the email, or the account is linked to another identity. Ask an admin.",
  NoEmail: "Your identity provider did not send a usable email address.",
};

export function LoginForm({ error, callbackUrl, sso }: { error?: string; callbackUrl: string; sso: boolean }) {
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string | null>(error ? (MESSAGES[error] ?? "Sign-in failed.") : null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setMessage(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false, callbackUrl });
    setPending(false);
    if (res?.ok && !res.error) window.location.href = res.url ?? callbackUrl;
    else setMessage(MESSAGES[res?.error ?? ""] ?? MESSAGES.CredentialsSignin);
  }

  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4" aria-describedby={message ? "login-error" : undefined}>
      <label className="block text-sm font-medium">
        Email
        <input name="email" type="email" autoComplete="username" required className="mt-1 block w-full rounded border border-slate-300 px-3 py-2" />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input name="password" type="password" autoComplete="current-password" required className="mt-1 block w-full rounded border border-slate-300 px-3 py-2" />
      </label>
      {message && (
        <p id="login-error" role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {message}
        </p>
      )}
      <button type="submit" disabled={pending} className="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 disabled:opacity-60">
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {sso && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl })} className="w-full rounded border border-slate-300 px-3 py-2 font-medium hover:bg-slate-100">
          Sign in with single sign-on
        </button>
      )}
    </form>
  );
}
