import { requireUser } from "@/app/auth";
import { CreateTokenForm, RevokeTokenButton } from "@/components/account/tokens";
import { TimeAgo } from "@/components/forms/time-ago";
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
          <div className="overflow-x-auto rounded border border-slate-200 bg-white">
            <table className="min-w-full text-sm" data-testid="tokens">
              <caption className="sr-only">Your personal API tokens</caption>
              <thead className="bg-slate-50 text-left text-slate-700">
                <tr>
                  <th className="px-3 py-2 font-medium">Name</th>
                  <th className="px-3 py-2 font-medium">Key id</th>
                  <th className="px-3 py-2 font-medium">Status</th>
                  <th className="px-3 py-2 font-medium">Created</th>
                  <th className="px-3 py-2 font-medium">Expires</th>
                  <th className="px-3 py-2 font-medium">Last used</th>
                  <th className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.keyId} className="border-t border-slate-100" data-key-id={t.keyId}>
                    <td className="px-3 py-2">{t.name}</td>
                    <td className="px-3 py-2 font-mono text-xs">{t.keyId}</td>
                    <td className="px-3 py-2">{t.status}</td>
                    <td className="px-3 py-2">
                      <TimeAgo at={t.createdAt} />
                    </td>
                    <td className="px-3 py-2">
                      <TimeAgo at={t.expiresAt} empty="never" />
                    </td>
                    <td className="px-3 py-2">
                      <TimeAgo at={t.lastUsedAt} />
                    </td>
                    <td className="px-3 py-2">{t.status === "active" && <RevokeTokenButton keyId={t.keyId} name={t.name} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </article>
  );
}
