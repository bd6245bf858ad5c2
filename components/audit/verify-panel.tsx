"use client";

import Link from "next/link";
import { useState } from "react";
import { buttonClass, ErrorMessage } from "@/components/forms/fields";
import { callApi } from "@/components/api/call-api";

interface Report {
  ok: boolean;
  entries: number;
  chains: Array<{ chain_id: string; node: string; entries: number; head_seq: number; broken: { chain_id: string; seq: number; reason: string } | null }>;
  firstBroken: { chain_id: string; seq: number; reason: string } | null;
  checkpoints: { count: number; verified: number; problems: string[]; keyPresent: boolean };
  durationMs: number;
}

/**
 * Hash-chain verification on demand (POST /api/v1/audit/verify recomputes every entry's hash and
 * checks the signed checkpoints): the result says whether the record can be trusted and, if not,
 * links the first broken entry.
 */
export function VerifyPanel({ canVerify, entries }: { canVerify: boolean; entries: number }) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="verify-h" className="rounded border border-slate-200 bg-white p-4" data-testid="verify-panel">
      <h2 id="verify-h" className="font-semibold">
        Can this record be trusted?
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Verification recomputes the hash of all {entries.toLocaleString("en")} entries from their stored content, checks every link of every chain, and checks
        the signed checkpoints kept outside the database.
      </p>
      {canVerify ? (
        <button
          type="button"
          className={`${buttonClass} mt-2`}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            const r = await callApi<Report>("POST", "/api/v1/audit/verify", {});
            setBusy(false);
            if (r.ok) setReport(r.data);
            else setError(`Verification could not run: ${r.error}`);
          }}
        >
          {busy ? "Verifying every entry…" : "Verify the audit log now"}
        </button>
      ) : (
        <p className="mt-2 text-sm text-slate-700">
          Running a verification needs the analyst or admin role (<code>mandate audit verify</code> does the same from a shell).
        </p>
      )}
      {busy && (
        <p role="status" className="mt-2 text-sm text-slate-700">
          Reading every entry; this takes about a second per 10,000 entries.
        </p>
      )}
      <ErrorMessage error={error} />
      {report && <VerifyResult r={report} />}
    </section>
  );
}

function VerifyResult({ r }: { r: Report }) {
  return (
    <div
      role="status"
      className={`mt-3 rounded p-3 text-sm ${r.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}
      data-testid="verify-result"
      data-ok={String(r.ok)}
    >
      {r.ok ? (
        <p className="font-medium">
          Intact: {r.entries.toLocaleString("en")} entries in {r.chains.length} chains verified; {r.checkpoints.verified} of {r.checkpoints.count} signed
          checkpoints match ({(r.durationMs / 1000).toFixed(1)} s).
        </p>
      ) : (
        <p className="font-medium">The audit log has been tampered with or is incomplete.</p>
      )}
      {r.firstBroken && (
        <p className="mt-1" data-testid="first-broken" data-entry={`${r.firstBroken.chain_id}:${r.firstBroken.seq}`}>
          First broken entry:{" "}
          <Link className="font-mono underline" href={`/audit?entry=${r.firstBroken.chain_id}:${r.firstBroken.seq}`}>
            #{r.firstBroken.seq} of chain {r.firstBroken.chain_id}
          </Link>{" "}
          — {r.firstBroken.reason}. Everything after it in that chain can no longer be vouched for.
        </p>
      )}
      {r.checkpoints.problems.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {r.checkpoints.problems.slice(0, 10).map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {!r.checkpoints.keyPresent && <p className="mt-1">No checkpoint key on this node: checkpoint signatures could not be checked.</p>}
      <details className="mt-2">
        <summary className="cursor-pointer">Per chain</summary>
        <ul className="mt-1 space-y-0.5 font-mono text-xs">
          {r.chains.map((c) => (
            <li key={c.chain_id}>
              {c.node} ({c.chain_id.slice(0, 8)}…): {c.entries} entries, head #{c.head_seq}
              {c.broken ? ` — BROKEN at #${c.broken.seq}` : " — ok"}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
