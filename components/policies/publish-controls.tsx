"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { callApi } from "@/components/api/call-api";
import { DiffView } from "@/components/forms/diff-view";
import { ConfirmButton, ConfirmDialog } from "@/components/forms/confirm-button";
import { buttonClass, ErrorMessage, inputClass, secondaryButtonClass, SuccessMessage } from "@/components/forms/fields";
import { textLineDiff } from "@/lib/console/json-diff";
import { policyError, POLICIES, testCasesOf } from "./policy-api";
import { ImpactSummary, TestsStatus, usePublishCheck } from "./publish-check";

export function PublishControls({
  text,
  tests,
  activeText,
  activeLabel,
  valid,
}: {
  text: string;
  tests: string;
  activeText: string;
  activeLabel: string | null;
  valid: boolean;
}) {
  const router = useRouter();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // Set when publishing was refused because stored test cases fail: the admin may publish anyway with a note (audited).
  const [failing, setFailing] = useState<string[] | null>(null);
  const [override, setOverride] = useState("");
  const [check, startCheck] = usePublishCheck();
  const [dialogNote, setDialogNote] = useState("");
  const dialog = useRef<HTMLDialogElement>(null);
  const failingInDialog = check?.tests.state === "done" ? check.tests.data.failing : [];
  const diff = textLineDiff(activeText, text);
  const unchanged = activeText === text;

  async function run(kind: "draft" | "active" | "shadow", overrideNote?: string) {
    setError(null);
    setDone(null);
    const cases = testCasesOf(tests);
    if (!cases.ok) return setError(cases.error);
    const body = { text, tests: cases.tests, note: note.trim() };
    const r =
      kind === "draft"
        ? await callApi<{ version: number }>("POST", `${POLICIES}/drafts`, body)
        : await callApi<{ version: number }>("POST", `${POLICIES}/publish`, { ...body, mode: kind, ...(overrideNote ? { override_note: overrideNote } : {}) });
    if (!r.ok) {
      if (r.status === 409 && kind === "active" && r.problems?.length) setFailing(r.problems.map((p) => `${p.path.replace(/^tests\./, "")}: ${p.message}`));
      return setError(policyError(r));
    }
    setFailing(null);
    setOverride("");
    const v = r.data.version;
    setDone(
      kind === "draft"
        ? `Saved as draft v${v}.`
        : kind === "active"
          ? `Published v${v}: it decides every new call from now on.`
          : `v${v} runs in shadow mode: compared on live traffic, not enforced. See Policies → Shadow.`,
    );
    setNote("");
    router.refresh();
  }

  const details = (mode: string) => (
    <div className="space-y-2">
      <p>
        {mode === "active" ? (
          <>
            This replaces the active version
            {activeLabel ? (
              <>
                {" "}
                <span className="font-mono">{activeLabel}</span>
              </>
            ) : null}{" "}
            for every new decision, on every node. The change is audited; you can roll back under Versions.
          </>
        ) : (
          <>The draft is evaluated next to the active version on live traffic but not enforced; disagreements are listed under Shadow.</>
        )}
      </p>
      {mode === "active" && check && (
        <>
          <TestsStatus tests={check.tests} />
          {failingInDialog.length > 0 && (
            <label className="block font-medium">
              Override note (why publish anyway; audited with the failing cases)
              <input className={inputClass} value={dialogNote} onChange={(e) => setDialogNote(e.target.value)} />
            </label>
          )}
          <ImpactSummary impact={check.impact} />
        </>
      )}
      <p className="font-medium">Changes against the active version:</p>
      <DiffView lines={diff} label="Changes against the active version" />
    </div>
  );

  function openPublish() {
    setError(null);
    const cases = testCasesOf(tests);
    if (!cases.ok) return setError(cases.error);
    setDialogNote("");
    startCheck(text, cases.tests);
    dialog.current?.showModal();
  }

  return (
    <div className="space-y-2">
      <label className="block text-sm font-medium">
        Note (why this change)
        <input className={inputClass} value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. allow web research for the support team" />
      </label>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={secondaryButtonClass} onClick={() => run("draft")}>
          Save draft
        </button>
        <button type="button" className={buttonClass} disabled={!valid || unchanged} onClick={openPublish}>
          Publish…
        </button>
        <ConfirmDialog
          dialogRef={dialog}
          title="Publish this policy set?"
          details={details("active")}
          confirmLabel={failingInDialog.length ? "Publish anyway" : "Publish"}
          // The stored tests decide whether an override note is needed: wait for them (the 24 h replay may still run).
          confirmDisabled={check?.tests.state === "loading" || (failingInDialog.length > 0 && !dialogNote.trim())}
          onConfirm={() => run("active", failingInDialog.length ? dialogNote.trim() : undefined)}
        />
        <ConfirmButton
          label="Publish as shadow…"
          disabled={!valid || unchanged}
          title="Publish as shadow?"
          details={details("shadow")}
          confirmLabel="Start shadow"
          onConfirm={() => run("shadow")}
        />
      </div>
      {!valid && <p className="text-xs text-slate-700">Publishing is possible once the policy set validates.</p>}
      {valid && unchanged && <p className="text-xs text-slate-700">The text is the active version: change it to publish.</p>}
      <ErrorMessage error={error} />
      {failing && (
        <div role="group" aria-label="Publish despite failing tests" className="space-y-2 rounded border border-red-200 bg-red-50 p-3 text-sm">
          <p className="font-medium text-red-900">Not published: these stored test cases fail against this version.</p>
          <ul className="list-disc pl-5 text-red-900" data-testid="failing-tests">
            {failing.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <label className="block font-medium">
            Override note (why publish anyway; audited with the failing cases)
            <input className={inputClass} value={override} onChange={(e) => setOverride(e.target.value)} />
          </label>
          <button type="button" className={buttonClass} disabled={!override.trim()} onClick={() => run("active", override.trim())}>
            Publish anyway
          </button>
        </div>
      )}
      {done && <SuccessMessage>{done}</SuccessMessage>}
    </div>
  );
}
