import type { VersionRow } from "@/lib/console/policies";
import { secondaryButtonClass } from "@/components/forms/fields";

/** Two versions to compare: a plain GET form to /policies/versions/diff?from=&to= (the address is the deep link). */
export function VersionPicker({ versions, from, to }: { versions: VersionRow[]; from?: number; to?: number }) {
  const select = (name: "from" | "to", label: string, value?: number) => (
    <label className="text-sm font-medium">
      {label}{" "}
      <select name={name} defaultValue={value} className="rounded border border-slate-400 bg-white px-2 py-1 font-mono text-sm">
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version} ({v.status})
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form action="/policies/versions/diff" method="get" className="flex flex-wrap items-end gap-2" aria-label="Compare two versions">
      {select("from", "Compare", from ?? versions[1]?.version)}
      {select("to", "with", to ?? versions[0]?.version)}
      <button type="submit" className={secondaryButtonClass}>
        Show diff
      </button>
    </form>
  );
}
