"use client";

/** The error state of a console page: what could not be loaded, why, and what to try next. */
export function LoadError({ what, error, reset }: { what: string; error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-6 text-red-900">
      <h2 className="font-semibold">{what} could not be loaded.</h2>
      <p className="mt-1 text-sm">
        {error.message || "The server did not answer."} {error.digest ? `(reference ${error.digest} in the server log)` : ""}
      </p>
      <p className="mt-1 text-sm">Check that Mandate and its database are running, then try again.</p>
      <button type="button" onClick={reset} className="mt-3 rounded bg-red-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-900">
        Try again
      </button>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="rounded border border-slate-200 bg-white p-6 text-slate-700">
      Loading {what}…
    </p>
  );
}
