"use client";

import { useState } from "react";
import type { FilterDef, TableDefinition, TableState } from "@/lib/console/table/definition";
import { useTableUrl } from "./table-url";

function MultiFilter({ f, selected, onChange }: { f: FilterDef; selected: string[]; onChange: (v: string[]) => void }) {
  return (
    <details className="relative">
      <summary className="cursor-pointer list-none rounded border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-800">
        {f.label}
        {selected.length ? `: ${selected.join(", ")}` : ""} <span aria-hidden>▾</span>
      </summary>
      <fieldset className="absolute z-10 mt-1 max-h-72 w-56 overflow-auto rounded border border-slate-300 bg-white p-2 shadow-lg">
        <legend className="sr-only">{f.label}</legend>
        {f.options.length === 0 && <p className="text-sm text-slate-600">No values yet.</p>}
        {f.options.map((o) => (
          <label key={o.value} className="flex items-center gap-2 py-0.5 text-sm">
            <input
              type="checkbox"
              checked={selected.includes(o.value)}
              onChange={(e) => onChange(e.target.checked ? [...selected, o.value] : selected.filter((x) => x !== o.value))}
            />
            {o.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

/** Search box and one control per filter of the definition. */
export function FilterBar({ definition, state }: { definition: TableDefinition; state: TableState }) {
  const { go } = useTableUrl(definition, state);
  const [q, setQ] = useState(state.q);
  const setFilter = (id: string, values: string[]) => {
    const filters = { ...state.filters };
    if (values.length) filters[id] = values;
    else delete filters[id];
    go({ filters });
  };
  const active = Object.keys(state.filters).length > 0 || state.q !== "";
  return (
    <div className="flex flex-wrap items-center gap-2" role="search" aria-label={`Filter ${definition.id}`}>
      {definition.search && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: q.trim() });
          }}
        >
          <label className="sr-only" htmlFor={`${definition.id}-search`}>
            Search
          </label>
          <input
            id={`${definition.id}-search`}
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={definition.search.placeholder}
            className="w-64 rounded border border-slate-300 bg-white px-2 py-1.5 text-sm"
          />
        </form>
      )}
      {definition.filters.map((f) =>
        f.kind === "select" ? (
          <label key={f.id} className="flex items-center gap-1 text-sm text-slate-700">
            <span>{f.label}</span>
            <select
              value={state.filters[f.id]?.[0] ?? ""}
              onChange={(e) => setFilter(f.id, e.target.value ? [e.target.value] : [])}
              className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900"
            >
              <option value="">All</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <MultiFilter key={f.id} f={f} selected={state.filters[f.id] ?? []} onChange={(v) => setFilter(f.id, v)} />
        ),
      )}
      {active && (
        <button
          type="button"
          onClick={() => {
            setQ("");
            go({ filters: {}, q: "" });
          }}
          className="text-sm text-indigo-700 underline"
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
