"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, inputClass, secondaryButtonClass, SuccessMessage } from "@/components/forms/fields";

const EFFECTS = ["read", "write", "side_effect", "destructive"];
const RISKS = ["low", "medium", "high", "critical"];
const LABELS = ["pii", "secrets", "financial", "untrusted_content", "external_comm"];

export interface ClassificationInput {
  effect: string;
  risk: string;
  labels: string[];
  sensitiveArgs: string[];
}

/** Approve (or edit) a tool's classification, or reject it; the note is required and audited. */
export function ClassificationForm({
  server,
  name,
  status,
  initial,
  properties,
}: {
  server: string;
  name: string;
  status: string;
  initial: ClassificationInput;
  properties: string[];
}) {
  const router = useRouter();
  const [c, setC] = useState(initial);
  const [extra, setExtra] = useState(initial.labels.filter((l) => !LABELS.includes(l)).join(", "));
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toggle = (list: string[], v: string, on: boolean) => (on ? [...new Set([...list, v])] : list.filter((x) => x !== v));

  async function run(kind: "approve" | "reject") {
    setPending(true);
    setError(null);
    setDone(null);
    const labels = [
      ...c.labels.filter((l) => LABELS.includes(l)),
      ...extra
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    // The console asks for a note (the API leaves it optional): it is kept in the audit log.
    const why = note.trim();
    const path = `/api/v1/tools/${seg(server)}/${seg(name)}/${kind}`;
    const r = !why
      ? { ok: false as const, error: "note: say why (it is kept in the audit log)" }
      : await callApi(
          "POST",
          path,
          kind === "approve" ? { effect: c.effect, risk: c.risk, labels, sensitive_args: c.sensitiveArgs, note: why } : { note: why },
        );
    setPending(false);
    if (!r.ok) return setError(r.error);
    setDone(kind === "approve" ? "Approved: the decision path uses this classification from the next call." : "Rejected: calls to this tool are denied.");
    setNote("");
    router.refresh();
  }

  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        void run("approve");
      }}
      aria-label="Classification"
    >
      <div className="grid grid-cols-2 gap-3">
        <label className="block text-sm font-medium">
          Effect
          <select className={inputClass} value={c.effect} onChange={(e) => setC({ ...c, effect: e.target.value })}>
            {EFFECTS.map((x) => (
              <option key={x} value={x}>
                {x.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium">
          Risk
          <select className={inputClass} value={c.risk} onChange={(e) => setC({ ...c, risk: e.target.value })}>
            {RISKS.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend className="text-sm font-medium">Data labels</legend>
        <div className="mt-1 flex flex-wrap gap-3">
          {LABELS.map((l) => (
            <label key={l} className="flex items-center gap-1 text-sm">
              <input type="checkbox" checked={c.labels.includes(l)} onChange={(e) => setC({ ...c, labels: toggle(c.labels, l, e.target.checked) })} /> {l}
            </label>
          ))}
        </div>
        <label className="mt-2 block text-sm">
          Other labels (comma-separated, lowercase)
          <input className={inputClass} value={extra} onChange={(e) => setExtra(e.target.value)} />
        </label>
      </fieldset>
      {properties.length > 0 && (
        <fieldset>
          <legend className="text-sm font-medium">
            Sensitive arguments <span className="font-normal text-slate-600">(stored only as a hash)</span>
          </legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {properties.map((p) => (
              <label key={p} className="flex items-center gap-1 font-mono text-sm">
                <input
                  type="checkbox"
                  checked={c.sensitiveArgs.includes(p)}
                  onChange={(e) => setC({ ...c, sensitiveArgs: toggle(c.sensitiveArgs, p, e.target.checked) })}
                />{" "}
                {p}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <label className="block text-sm font-medium">
        Why (kept in the audit log)
        <textarea
          required
          className={inputClass}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="e.g. reviewed the schema; sends only to internal addresses"
        />
      </label>
      <ErrorMessage error={error} />
      {done && <SuccessMessage>{done}</SuccessMessage>}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className={buttonClass}>
          {status === "approved" ? "Save classification" : "Approve"}
        </button>
        {status !== "rejected" && (
          <button type="button" disabled={pending} onClick={() => void run("reject")} className={secondaryButtonClass}>
            Reject
          </button>
        )}
      </div>
    </form>
  );
}
