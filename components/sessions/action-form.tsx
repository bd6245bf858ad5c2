"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage, SuccessMessage, dangerButtonClass, inputClass } from "@/components/forms/fields";
import { callApi } from "@/components/api/call-api";

/**
 * An operator control with a required reason (terminate, suspend, block): the reason goes into the
 * audit entry the server writes. Shown as a disclosure so a click never acts by accident.
 */
export function ReasonAction({
  title,
  hint,
  button,
  path,
  choices,
  testId,
}: {
  title: string;
  hint: string;
  button: string;
  /** The API path, or a function of the chosen target. */
  path: string | ((choice: string) => string);
  choices?: Array<{ value: string; label: string }>;
  testId: string;
}) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [choice, setChoice] = useState(choices?.[0]?.value ?? "");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <details className="rounded border border-slate-200 bg-white p-3" data-testid={testId}>
      <summary className="cursor-pointer text-sm font-medium">{title}</summary>
      <form
        className="mt-2 space-y-2"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const target = typeof path === "string" ? path : path(choice);
          const r = await callApi("POST", target, { reason: reason.trim() });
          setBusy(false);
          if (!r.ok) return setResult({ ok: false, text: r.error });
          setResult({ ok: true, text: `Done, and recorded in the audit log with your reason.` });
          setReason("");
          router.refresh();
        }}
      >
        <p className="text-xs text-slate-700">{hint}</p>
        {choices && (
          <label className="block text-sm font-medium">
            Which
            <select className={inputClass} value={choice} onChange={(e) => setChoice(e.target.value)}>
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="block text-sm font-medium">
          Reason (recorded in the audit log)
          <input required minLength={1} maxLength={1000} className={inputClass} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !reason.trim()} className={dangerButtonClass}>
          {busy ? "Working…" : button}
        </button>
        {result && (result.ok ? <SuccessMessage>{result.text}</SuccessMessage> : <ErrorMessage error={result.text} />)}
      </form>
    </details>
  );
}
