"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { ErrorMessage, secondaryButtonClass } from "@/components/forms/fields";

/** What an admin may turn off: the labels first (each turns off every detector yielding it), then single detectors. */
const SWITCHES: Array<{ name: string; what: string }> = [
  { name: "pii", what: "every personal-data detector" },
  { name: "financial", what: "payment cards and IBANs" },
  { name: "secrets", what: "keys, tokens and passwords" },
  { name: "email", what: "email addresses" },
  { name: "phone", what: "phone numbers" },
  { name: "payment_card", what: "payment card numbers" },
  { name: "iban", what: "IBANs" },
  { name: "us_ssn", what: "US social security numbers" },
];

/**
 * The content detectors the gateway skips for what this item returns (PUT …/detectors, audited).
 * Labels the server attaches in `_meta` always count; the server-wide setting is shown, not edited here.
 */
export function DetectorsForm({ server, name, off, serverOff }: { server: string; name: string; off: string[]; serverOff: string[] }) {
  const router = useRouter();
  const [chosen, setChosen] = useState<string[]>(off);
  const [error, setError] = useState<string | null>(null);
  const changed = chosen.length !== off.length || chosen.some((n) => !off.includes(n));
  return (
    <form
      className="space-y-2 text-sm"
      aria-label="Content detectors"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await callApi("PUT", `/api/v1/tools/${seg(server)}/${seg(name)}/detectors`, { detectors_off: chosen });
        if (!r.ok) return setError(r.error);
        setError(null);
        router.refresh();
      }}
    >
      <fieldset className="grid grid-cols-1 gap-1 sm:grid-cols-2">
        <legend className="mb-1 text-slate-700">Turn off for this item:</legend>
        {SWITCHES.map((s) => (
          <label key={s.name} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={chosen.includes(s.name)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, s.name] : chosen.filter((n) => n !== s.name))}
            />
            <span className="font-mono text-xs">{s.name}</span>
            <span className="text-slate-600">{s.what}</span>
          </label>
        ))}
      </fieldset>
      {serverOff.length > 0 && (
        <p className="text-slate-700">
          Off for every item of <span className="font-mono">{server}</span>: {serverOff.join(", ")} (mandate servers set).
        </p>
      )}
      <button type="submit" className={secondaryButtonClass} disabled={!changed}>
        Save detectors
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
