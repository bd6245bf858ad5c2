import Link from "next/link";
import { redirect } from "next/navigation";
import { requireUser } from "@/app/auth";
import { SearchBox } from "@/components/search/search-box";
import { Timestamp } from "@/components/time/timestamp";
import { KIND_LABELS, MIN_SUBSTRING, PER_KIND, searchConsole, searchQuerySchema, type SearchHit, type SearchKind } from "@/lib/console/search";

export const metadata = { title: "Search" };

/** The global search (lib/console/search.ts): jumps to the only match, else lists matches by kind. */
export default async function SearchPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const user = await requireUser();
  const raw = (await searchParams).q;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || text.trim() === "") {
    return (
      <Frame q="">
        <p className="text-sm text-slate-700">
          Type a session id or any part of it ({MIN_SUBSTRING}+ characters), a decision or approval id (or its first 4+ hex digits), an agent, a tool
          (server/tool){user.role === "admin" ? " or a user's email" : ""}.
        </p>
      </Frame>
    );
  }
  const parsed = searchQuerySchema.safeParse(text);
  if (!parsed.success) {
    return (
      <Frame q={text.slice(0, 200)}>
        <p role="alert" className="text-sm text-red-800">
          Cannot search for this: {parsed.error.issues[0]?.message}.
        </p>
      </Frame>
    );
  }
  const r = await searchConsole(parsed.data, user.role);
  if (r.jumpTo) redirect(r.jumpTo);
  const groups = new Map<SearchKind, SearchHit[]>();
  for (const h of r.hits) groups.set(h.kind, [...(groups.get(h.kind) ?? []), h]);
  return (
    <Frame q={r.query}>
      {r.timedOut && (
        <p role="alert" className="text-sm text-amber-900">
          The search stopped after {Math.round(r.durationMs / 100) / 10} s; the matches below may be incomplete. Type more of the id.
        </p>
      )}
      {r.hits.length === 0 ? (
        <p data-testid="search-none" className="rounded border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700">
          Nothing matches <span className="font-mono">{r.query}</span>
          {r.query.length < MIN_SUBSTRING
            ? ` (session ids are searched by any part of ${MIN_SUBSTRING} or more characters; shorter text must be a whole id)`
            : ""}
          .
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-700" data-testid="search-count">
            {r.hits.length} matches for <span className="font-mono">{r.query}</span> ({r.durationMs} ms).
          </p>
          {[...groups].map(([kind, hits]) => (
            <section key={kind} aria-labelledby={`search-${kind}`} className="space-y-1">
              <h2 id={`search-${kind}`} className="text-base font-semibold">
                {KIND_LABELS[kind]} ({hits.length}
                {r.truncated.includes(kind) ? `, only the first ${PER_KIND} shown` : ""})
              </h2>
              <ul className="divide-y divide-slate-100 rounded border border-slate-200 bg-white">
                {hits.map((h) => (
                  <li key={h.href + h.label} className="flex flex-wrap items-baseline gap-x-3 px-3 py-1.5 text-sm">
                    <Link href={h.href} className="font-mono text-indigo-800 underline">
                      {h.label}
                    </Link>
                    <span className="text-slate-700">{h.detail}</span>
                    {h.at && <Timestamp at={h.at} relative className="ml-auto" />}
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </Frame>
  );
}

function Frame({ q, children }: { q: string; children: React.ReactNode }) {
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Search</h1>
      <SearchBox id="search-page-q" defaultValue={q} wide />
      {children}
    </div>
  );
}
