"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Timestamp } from "@/components/time/timestamp";
import type { LastVerify } from "@/lib/audit/last-verify";
import { buttonClass, ErrorMessage } from "@/components/forms/fields";

interface Report {
  ok: boolean;
  mode: "full" | "since-checkpoint";
  from: { checkpoint_id: string; created_at: string } | null;
  entries: number;
  chains: Array<{
    chain_id: string;
    node: string;
    entries: number;
    from_seq: number;
    head_seq: number;
    broken: { chain_id: string; seq: number; reason: string } | null;
  }>;
  firstBroken: { chain_id: string; seq: number; reason: string } | null;
  checkpoints: { count: number; verified: number; problems: string[]; notes: string[]; keyPresent: boolean };
  durationMs: number;
}

type Mode = Report["mode"];
type Progress = { done: number; total: number; rate: number };
type Line = { type: "progress"; done: number; total: number } | { type: "report"; report: Report } | { type: "error"; detail: string };

/**
 * POST /api/v1/audit/verify with progress: reads the NDJSON stream (progress lines, then the report).
 * A refusal (401/403/400) comes back as problem+json, worded by callApi's rules.
 */
async function runVerification(mode: Mode, onProgress: (p: { done: number; total: number }) => void): Promise<{ report: Report } | { error: string }> {
  let res: Response;
  try {
    res = await fetch("/api/v1/audit/verify", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode, progress: true }),
    });
  } catch (err) {
    return { error: `Mandate could not be reached (${(err as Error).message}).` };
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let detail = text.slice(0, 200) || res.statusText;
    try {
      const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
      detail = typeof p.detail === "string" ? p.detail : typeof p.title === "string" ? p.title : detail;
    } catch {
      // not JSON: the text itself
    }
    return { error: `${res.status === 403 ? "Not allowed: " : ""}${detail}` };
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += value;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Line;
      buf = buf.slice(nl + 1);
      if (line.type === "progress") onProgress(line);
      else if (line.type === "report") return { report: line.report };
      else return { error: line.detail };
    }
    if (done) return { error: "the verification stopped before its report" };
  }
}

/**
 * Hash-chain verification on demand (POST /api/v1/audit/verify recomputes every entry's hash and
 * checks the signed checkpoints, streaming its progress): the result says whether the record can be
 * trusted and, if not, links the first broken entry. The incremental mode recomputes only the entries
 * after the last checkpoint that can be trusted, and says so.
 */
export function VerifyPanel({ canVerify, entries, last }: { canVerify: boolean; entries: number; last: LastVerify | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState<Mode | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const start = async (mode: Mode) => {
    setBusy(mode);
    setError(null);
    setReport(null);
    const startedAt = Date.now();
    setProgress({ done: 0, total: 0, rate: 0 });
    const r = await runVerification(mode, (p) => {
      const secs = (Date.now() - startedAt) / 1000;
      setProgress({ done: p.done, total: p.total, rate: secs > 0 ? Math.round(p.done / secs) : 0 });
    });
    setBusy(null);
    setProgress(null);
    if ("report" in r) {
      setReport(r.report);
      router.refresh(); // the page's "last verified" is this run now
    } else setError(`Verification could not run: ${r.error}`);
  };
  return (
    <section aria-labelledby="verify-h" className="rounded border border-slate-200 bg-white p-4" data-testid="verify-panel">
      <h2 id="verify-h" className="font-semibold">
        Can this record be trusted?
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Verification recomputes the hash of all {entries.toLocaleString("en")} entries from their stored content, checks every link of every chain, and checks
        the signed checkpoints kept outside the database. The incremental check recomputes only the entries after the last signed checkpoint that still matches
        the database.
      </p>
      <LastVerified last={last} />
      {canVerify ? (
        <div className="mt-2 flex flex-wrap gap-2">
          <button type="button" className={buttonClass} disabled={busy !== null} onClick={() => start("full")}>
            {busy === "full" ? "Verifying every entry…" : "Verify the audit log now"}
          </button>
          <button type="button" className={buttonClass} disabled={busy !== null} onClick={() => start("since-checkpoint")}>
            {busy === "since-checkpoint" ? "Verifying since the last checkpoint…" : "Incremental: verify since the last checkpoint"}
          </button>
        </div>
      ) : (
        <p className="mt-2 text-sm text-slate-700">
          Running a verification needs the analyst or admin role (<code>mandate audit verify</code> does the same from a shell).
        </p>
      )}
      {busy && progress && <VerifyProgress p={progress} />}
      <ErrorMessage error={error} />
      {report && <VerifyResult r={report} />}
    </section>
  );
}

function VerifyProgress({ p }: { p: Progress }) {
  return (
    <div role="status" className="mt-2 text-sm text-slate-700" data-testid="verify-progress">
      <progress className="w-full" max={Math.max(1, p.total)} value={p.done} aria-label="Entries verified" />
      <p>
        {p.total > 0
          ? `Verified ${p.done.toLocaleString("en")} of ${p.total.toLocaleString("en")} entries (${p.rate.toLocaleString("en")} entries/s)`
          : "Reading the chains and checkpoints…"}
      </p>
    </div>
  );
}

function ModeLabel({ r }: { r: Report }) {
  if (r.mode === "full") return <p data-testid="verify-mode">Full verification: every entry of every chain recomputed.</p>;
  if (!r.from) return <p data-testid="verify-mode">Incremental requested, but no checkpoint could be trusted: every entry was recomputed.</p>;
  return (
    <p data-testid="verify-mode">
      Incremental: from checkpoint <span className="font-mono">{r.from.checkpoint_id.slice(0, 8)}</span> ({r.from.created_at}). Entries up to that checkpoint
      were not recomputed.
    </p>
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
      <ModeLabel r={r} />
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
              {c.node} ({c.chain_id.slice(0, 8)}…): {c.entries} entries
              {c.from_seq > 1 ? ` from #${c.from_seq}` : ""}, head #{c.head_seq}
              {c.broken ? ` — BROKEN at #${c.broken.seq}` : " — ok"}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

/** The last verification recorded (by anyone, from the console, the API or the CLI), or that there was none. */
function LastVerified({ last }: { last: LastVerify | null }) {
  if (!last)
    return (
      <p className="mt-2 text-sm text-slate-700" data-testid="last-verified" data-ok="none">
        Not verified yet.
      </p>
    );
  const broken = last.per_chain.filter((c) => c.broken_seq !== null);
  return (
    <p className={`mt-2 text-sm ${last.ok ? "text-slate-700" : "font-medium text-red-800"}`} data-testid="last-verified" data-ok={String(last.ok)}>
      Last verified <Timestamp at={last.at} relative />
      {last.by ? ` by ${last.by}` : ""} ({last.mode === "full" ? "every entry" : "since a checkpoint"}):{" "}
      {last.ok
        ? `intact, ${last.entries.toLocaleString("en")} entries in ${last.chains} chain${last.chains === 1 ? "" : "s"}.`
        : broken.length
          ? `broken — ${broken.map((c) => `chain ${c.node} at #${c.broken_seq}`).join(", ")}.`
          : "problems with the checkpoints or archives."}
    </p>
  );
}
