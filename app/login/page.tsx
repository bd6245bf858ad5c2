import { LoginForm } from "@/components/auth/login-form";
import { safeReturnPath } from "@/lib/auth/return-path";
import { env } from "@/lib/env";

export const metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string; retry_after?: string }> }) {
  const sp = await searchParams;
  const sso = !!(env().OIDC_ISSUER && env().OIDC_CLIENT_ID);
  const retryAfter = /^\d{1,6}$/.test(sp.retry_after ?? "") ? Number(sp.retry_after) : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Sign in to Mandate</h1>
        <p className="mt-1 text-sm text-slate-600">
          The first admin&apos;s password was printed at first start and saved in .mandate/initial-credentials.json.
        </p>
        <LoginForm error={sp.error} retryAfter={retryAfter} callbackUrl={safeReturnPath(sp.callbackUrl)} sso={sso} />
      </div>
    </main>
  );
}
