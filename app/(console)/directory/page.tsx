import Link from "next/link";
import { requireUser } from "@/app/auth";
import { PolicyNav } from "@/components/policies/policy-nav";
import { listEntities } from "@/lib/directory/entities";
import { listStores } from "@/lib/directory/stores";

export const metadata = { title: "Directory" };

type Search = Promise<{ store?: string; type?: string; after_type?: string; after_id?: string }>;

export default async function DirectoryPage({ searchParams }: { searchParams: Search }) {
  await requireUser();
  const sp = await searchParams;
  const stores = await listStores();
  const store = stores.find((s) => s.id === sp.store) ?? stores.find((s) => s.entities > 0) ?? stores[0];
  const page = store
    ? await listEntities(store.id, {
        type: sp.type || undefined,
        after: sp.after_type && sp.after_id ? { type: sp.after_type, id: sp.after_id } : undefined,
        limit: 100,
      })
    : { entities: [], next: null };
  const q = (extra: Record<string, string>) => `/directory?${new URLSearchParams({ store: store?.id ?? "", ...(sp.type ? { type: sp.type } : {}), ...extra })}`;
  return (
    <section aria-labelledby="dir-h" className="space-y-4">
      <div>
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 id="dir-h" className="text-xl font-semibold">
            Directory
          </h1>
          <PolicyNav current="/directory" />
        </div>
        <p className="text-sm text-slate-700">
          Policy stores and the entities (attributes and parents) Mandate adds to AuthZEN requests as the PIP. Import with{" "}
          <code>npx mandate directory import &lt;file.json&gt; --store S</code> or load a pack with <code>npm run authzen:pack</code>.
        </p>
      </div>
      <nav aria-label="Policy stores" className="flex flex-wrap gap-2">
        {stores.map((s) => (
          <Link
            key={s.id}
            href={`/directory?store=${encodeURIComponent(s.id)}`}
            aria-current={s.id === store?.id ? "page" : undefined}
            className={`rounded border px-3 py-1 text-sm ${s.id === store?.id ? "border-indigo-700 bg-indigo-50 text-indigo-900" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50"}`}
          >
            {s.id}{" "}
            <span className="text-slate-600">
              · v{s.activeVersion ?? "–"} · {s.entities} entities · {s.pepKeys} PEP keys
            </span>
          </Link>
        ))}
      </nav>
      {store && (
        <form className="flex items-end gap-2 text-sm" action="/directory">
          <input type="hidden" name="store" value={store.id} />
          <label className="block">
            Entity type
            <input name="type" defaultValue={sp.type ?? ""} placeholder="e.g. user" className="mt-1 block rounded border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50">
            Filter
          </button>
        </form>
      )}
      {page.entities.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700" data-testid="directory-empty">
          {store ? `No entities in store ${store.id}${sp.type ? ` of type ${sp.type}` : ""}.` : "No policy stores yet."} The MCP store needs none (its agents
          and tools come from the inventory); AuthZEN stores get theirs by import.
        </p>
      ) : (
        <div className="overflow-x-auto rounded border border-slate-200 bg-white">
          <table className="min-w-full text-sm" data-testid="directory-entities">
            <caption className="sr-only">Entities of store {store?.id}</caption>
            <thead className="bg-slate-50 text-left text-slate-700">
              <tr>
                <th className="px-3 py-2 font-medium">Entity</th>
                <th className="px-3 py-2 font-medium">Attributes</th>
                <th className="px-3 py-2 font-medium">Parents</th>
              </tr>
            </thead>
            <tbody>
              {page.entities.map((e) => (
                <tr key={`${e.type}/${e.id}`} className="border-t border-slate-100 align-top">
                  <td className="px-3 py-2 font-mono text-xs">
                    {e.type}::&quot;{e.id}&quot;
                  </td>
                  <td className="px-3 py-2">
                    <pre className="max-w-xl overflow-x-auto whitespace-pre-wrap font-mono text-xs">{JSON.stringify(e.attrs, null, 1)}</pre>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{e.parents.map((p) => `${p.type}::"${p.id}"`).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.next && (
        <Link
          className="inline-block rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50"
          href={q({ after_type: page.next.type, after_id: page.next.id })}
        >
          Next page
        </Link>
      )}
    </section>
  );
}
