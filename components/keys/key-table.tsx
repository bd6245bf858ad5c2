import { TimeAgo } from "@/components/forms/time-ago";

type Key = { keyId: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null; lastUsedFrom?: string | null };

/**
 * The console's list of credentials (personal API tokens on Account, API keys on an agent's page): a row a
 * key (`data-key-id`), with an optional Name column, then key id, status, created, expires, last used and
 * the row's action (its revoke button, or nothing).
 */
export function KeyTable<K extends Key>({
  testId,
  caption,
  keys,
  name,
  status,
  action,
}: {
  testId: string;
  caption: string;
  keys: K[];
  name?: (k: K) => React.ReactNode;
  status: (k: K) => React.ReactNode;
  action: (k: K) => React.ReactNode;
}) {
  return (
    <div className="overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            {name && <th className="px-3 py-2 font-medium">Name</th>}
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
          {keys.map((k) => (
            <tr key={k.keyId} className="border-t border-slate-100" data-key-id={k.keyId}>
              {name && <td className="px-3 py-2">{name(k)}</td>}
              <td className="px-3 py-2 font-mono text-xs">{k.keyId}</td>
              <td className="px-3 py-2">{status(k)}</td>
              <td className="px-3 py-2">
                <TimeAgo at={k.createdAt} />
              </td>
              <td className="px-3 py-2">
                <TimeAgo at={k.expiresAt} empty="never" />
              </td>
              <td className="px-3 py-2">
                <TimeAgo at={k.lastUsedAt} />
                {k.lastUsedFrom && <span className="block text-xs text-slate-600">from {k.lastUsedFrom}</span>}
              </td>
              <td className="px-3 py-2">{action(k)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
