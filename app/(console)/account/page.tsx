import { requireUser } from "@/app/auth";
import { CreateTokenForm, RevokeTokenButton } from "@/components/account/tokens";
import { KeyTable } from "@/components/keys/key-table";
import { listTokens } from "@/lib/console/account";

export const metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await requireUser();
  const tokens = await listTokens(user.id);
  return (
    <article className="space-y-6">
      <header>
        <h1 className="text-xl font-semibold">Your account</h1>
        <p className="text-sm text-slate-700">
          {user.email} · role <strong>{user.role}</strong>
        </p>
      </header>
      <section aria-labelledby="tokens-h" className="space-y-3">
        <h2 id="tokens-h" className="text-base font-semibold">
          Personal API tokens
        </h2>
        <p className="text-sm text-slate-700">
          For the API and the CLI. A token acts with your role; it stops working when revoked, when it expires, or when your account is disabled.
        </p>
        <CreateTokenForm />
        {tokens.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700">
            You have no tokens. Create one above when a script or CI pipeline needs to call Mandate.
          </p>
        ) : (
          <KeyTable
            testId="tokens"
            caption="Your personal API tokens"
            keys={tokens}
            name={(t) => t.name}
            status={(t) => t.status}
            action={(t) => t.status === "active" && <RevokeTokenButton keyId={t.keyId} name={t.name} />}
          />
        )}
      </section>
    </article>
  );
}
