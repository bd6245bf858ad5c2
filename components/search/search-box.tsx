/**
 * The global search box (header and dashboard): a plain GET form to /search, so it works before the page
 * hydrates and the result is a URL that can be shared. /search jumps to the only match.
 */
export function SearchBox({ id, defaultValue = "", wide = false }: { id: string; defaultValue?: string; wide?: boolean }) {
  return (
    <form role="search" action="/search" method="get" aria-label={wide ? "Search Mandate" : "Search"} className="flex items-center gap-1">
      <label htmlFor={id} className="sr-only">
        Search sessions, decisions, approvals, agents, tools and users
      </label>
      <input
        id={id}
        name="q"
        type="search"
        defaultValue={defaultValue}
        maxLength={200}
        required
        placeholder="Search ids, agents, tools…"
        className={`rounded border border-slate-300 px-2 py-1 font-mono text-xs ${wide ? "w-full max-w-xl" : "w-48 lg:w-64"}`}
      />
      <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-100">
        Search
      </button>
    </form>
  );
}
