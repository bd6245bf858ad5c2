"use client";

import { useState } from "react";

/** A secret shown once, with a copy button and a plain warning that it will not be shown again. */
export function SecretOnce({ label, secret, extra }: { label: string; secret: string; extra?: React.ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="rounded border border-amber-300 bg-amber-50 p-4" data-testid="secret-once">
      <p className="text-sm font-medium text-amber-900">{label} — copy it now: it is shown only once and Mandate keeps only its hash.</p>
      <div className="mt-2 flex items-center gap-2">
        <code className="block flex-1 overflow-x-auto rounded bg-white px-2 py-1.5 font-mono text-sm text-slate-900" data-testid="secret-value">
          {secret}
        </code>
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => {});
            setCopied(true);
          }}
          className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {extra}
    </div>
  );
}
