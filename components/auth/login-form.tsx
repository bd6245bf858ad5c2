"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Email or password is wrong, or the account is disabled.",
  NoRole: "Your identity provider account is not mapped to a Mandate role.",
  Disabled: "This account is disabled.",
  AccountNotLinked:
    "A Mandate account with this email exists, but it was not linked to your identity provider account: " +
    "the provider did not verify the email, or the account is linked to another identity. Ask an admin.",
  NoEmail: "Your identity provider did not send a usable email address.",
};

export function messageFor(error: string, retryAfter: number | null): string {
  if (error === "TooManyAttempts") return retryAfter ? `Too many attempts — try again in ${retryAfter} s.` : "Too many attempts — try again later.";
  return MESSAGES[error] ?? "Sign-in failed.";
}

/**
 * next-auth's credentials callback, as next-auth/react's signIn() sends it, keeping the redirect URL:
 * a throttled attempt's redirect carries `retry_after`, which signIn() drops.
 */
async function credentialsSignIn(email: string, password: string, callbackUrl: string): Promise<URL> {
  const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl, json: "true" }),
  });
  const data = (await res.json()) as { url?: string };
  return new URL(data.url ?? "/login?error=CredentialsSignin", window.location.href);
}

export function LoginForm({ error, retryAfter, callbackUrl, sso }: { error?: string; retryAfter: number | null; callbackUrl: string; sso: boolean }) {
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string | null>(error ? messageFor(error, retryAfter) : null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setMessage(null);
    const form = new FormData(e.currentTarget);
    const field = (name: string) => {
      const v = form.get(name); // a text input's value: a string (a File only comes from a file input)
      return typeof v === "string" ? v : "";
    };
    try {
      const url = await credentialsSignIn(field("email"), field("password"), callbackUrl);
      const err = url.searchParams.get("error");
      if (err) {
        const n = Number(url.searchParams.get("retry_after"));
        setMessage(messageFor(err, Number.isInteger(n) && n > 0 ? n : null));
        setPending(false);
      } else {
        window.location.href = url.href;
      }
    } catch {
      setMessage("Sign-in failed: the server could not be reached.");
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4" aria-describedby={message ? "login-error" : undefined}>
      <label className="block text-sm font-medium">
        Email
        <input name="email" type="email" autoComplete="username" required className="mt-1 block w-full rounded border border-slate-300 px-3 py-2" />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 block w-full rounded border border-slate-300 px-3 py-2"
        />
      </label>
      {message && (
        <p id="login-error" role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {message}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {sso && (
        <button
          type="button"
          onClick={() => signIn("oidc", { callbackUrl })}
          className="w-full rounded border border-slate-300 px-3 py-2 font-medium hover:bg-slate-100"
        >
          Sign in with single sign-on
        </button>
      )}
    </form>
  );
}
