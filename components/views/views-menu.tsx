"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { callApi } from "@/components/api/call-api";
import type { SavedView, ViewPage } from "@/lib/console/saved-views";

const withView = (v: SavedView) => `${v.href}${v.query ? "&" : "?"}view=${v.id}`;

function ViewRow({ v, run }: { v: SavedView; run: (f: () => Promise<{ ok: boolean; error?: string }>) => void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(v.name);
  const [copied, setCopied] = useState(false);
  if (renaming)
    return (
      <form
        className="flex gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          setRenaming(false);
          run(() => callApi("PATCH", `/api/v1/views/${v.id}`, { name }));
        }}
      >
        <input
          aria-label={`New name for ${v.name}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          className="w-36 rounded border border-slate-300 px-1"
        />
        <button type="submit" className="text-indigo-700 underline">
          Save
        </button>
      </form>
    );
  return (
    <span className="flex items-center gap-2">
      <Link href={withView(v)} className="flex-1 truncate text-indigo-800 underline">
        {v.name}
      </Link>
      <button
        type="button"
        className="text-xs text-slate-700 underline"
        aria-label={`Copy the link to ${v.name}`}
        onClick={() => {
          void navigator.clipboard
            ?.writeText(`${location.origin}${v.link}`)
            .then(() => setCopied(true))
            .catch(() => {});
        }}
      >
        {copied ? "Copied" : "Link"}
      </button>
      <button type="button" className="text-xs text-slate-700 underline" aria-label={`Rename ${v.name}`} onClick={() => setRenaming(true)}>
        Rename
      </button>
      <button
        type="button"
        className="text-xs text-red-800 underline"
        aria-label={`Delete ${v.name}`}
        onClick={() => run(() => callApi("DELETE", `/api/v1/views/${v.id}`))}
      >
        Delete
      </button>
    </span>
  );
}

/**
 * The saved-views menu of a page (dashboard, sessions, audit): your views of this page (open, copy the
 * link to share, rename, delete) and "Save current view" (this page's query string under a name).
 * `current` is the view named by `?view=` (possibly another user's, opened from a shared link).
 */
export function ViewsMenu({ page, views, current }: { page: ViewPage; views: SavedView[]; current: { id: string; name: string } | null }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  function run(f: () => Promise<{ ok: boolean; error?: string }>) {
    setError(null);
    void f().then((r) => (r.ok ? start(() => router.refresh()) : setError(r.error ?? "failed")));
  }
  return (
    <details className="relative text-sm" data-testid="views-menu">
      <summary className="cursor-pointer list-none rounded border border-slate-300 bg-white px-2 py-1 text-slate-800">
        {current ? `View: ${current.name}` : "Saved views"} <span aria-hidden>▾</span>
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-80 space-y-2 rounded border border-slate-300 bg-white p-3 shadow-lg">
        {views.length === 0 ? (
          <p className="text-slate-600">No saved views of this page yet.</p>
        ) : (
          <ul aria-label="Your saved views" className="space-y-1">
            {views.map((v) => (
              <li key={v.id}>
                <ViewRow v={v} run={run} />
              </li>
            ))}
          </ul>
        )}
        <form
          className="flex gap-1 border-t border-slate-200 pt-2"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const r = await callApi("POST", "/api/v1/views", { page, name, query: location.search });
              if (r.ok) setName("");
              return r;
            });
          }}
        >
          <input
            aria-label="Name of the new view"
            placeholder="Save current view as…"
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1"
          />
          <button type="submit" disabled={pending || !name.trim()} className="rounded bg-indigo-700 px-2 py-1 text-white disabled:opacity-50">
            Save
          </button>
        </form>
        {error && (
          <p role="alert" className="text-xs text-red-800">
            {error}
          </p>
        )}
      </div>
    </details>
  );
}
