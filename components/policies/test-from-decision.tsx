"use client";

/**
 * "Create policy test" from a recorded decision (app/(console)/policies/tests/new): the case the server
 * built from the decision's audit entry (lib/policy/test-from-decision.ts), its name and expectation
 * editable and its request as JSON. Analysts and admins run it against the text it would be stored with;
 * an admin saves it with the stored cases as a draft (POST …/drafts, the same call as the editor's
 * "Save draft"), replacing a stored case of the same name.
 */
import Link from "next/link";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { buttonClass, ErrorMessage, Field, inputClass, secondaryButtonClass, SuccessMessage } from "@/components/forms/fields";
import type { DecisionTestCase } from "@/lib/policy/test-from-decision";
import { policyError, POLICIES } from "./policy-api";

type Expect = DecisionTestCase["expect"];
interface RunResult {
  name: string;
  expect: string;
  actual: string;
  pass: boolean;
  reasons: Array<{ policy: string; message: string }>;
}

export function TestFromDecision({
  decisionId,
  testCase,
  base,
  canSave,
}: {
  decisionId: string;
  testCase: DecisionTestCase;
  /** The text and stored cases the new case joins: the latest draft, or the active version. */
  base: { label: string; text: string; tests: unknown[] };
  canSave: boolean;
}) {
  const { name: recordedName, expect: recordedExpect, ...request } = testCase;
  const [name, setName] = useState(recordedName);
  const [expect, setExpect] = useState<Expect>(recordedExpect);
  const [json, setJson] = useState(() => JSON.stringify(request, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunResult | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const sameName = base.tests.some((c) => (c as { name?: unknown }).name === name.trim());

  const theCase = (): Record<string, unknown> | null => {
    try {
      const r = JSON.parse(json) as unknown;
      if (!r || typeof r !== "object" || Array.isArray(r)) throw new Error("it must be an object");
      return { name: name.trim(), ...(r as Record<string, unknown>), expect };
    } catch (e) {
      setError(`The request is not valid JSON: ${(e as Error).message}`);
      return null;
    }
  };
  const act = async (kind: "run" | "save") => {
    setError(null);
    setRun(null);
    setSaved(null);
    const c = theCase();
    if (!c) return;
    setBusy(true);
    if (kind === "run") {
      const r = await callApi<{ results: RunResult[] }>("POST", `${POLICIES}/tests`, { text: base.text, tests: [c] });
      setBusy(false);
      if (!r.ok) return setError(policyError(r));
      return setRun(r.data.results[0]);
    }
    const tests = [...base.tests.filter((x) => (x as { name?: unknown }).name !== c.name), c];
    const r = await callApi<{ version: number }>("POST", `${POLICIES}/drafts`, { text: base.text, tests, note: `policy test from decision ${decisionId}` });
    setBusy(false);
    if (!r.ok) return setError(policyError(r));
    setSaved(r.data.version);
  };

  return (
    <div className="max-w-3xl space-y-4" data-testid="test-from-decision">
      <Field label="Test name">{(id) => <input id={id} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}</Field>
      <Field label="Expected outcome" hint={`Recorded: ${recordedExpect}. Change it to say what the policy should decide instead.`}>
        {(id, hint) => (
          <select id={id} aria-describedby={hint} className={inputClass} value={expect} onChange={(e) => setExpect(e.target.value as Expect)}>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
            <option value="require_approval">require_approval</option>
          </select>
        )}
      </Field>
      <Field
        label="Request (as recorded)"
        hint="Agent, tool and its classification, arguments, session state, delegation and time, in the test-case format (docs/policies.md)."
      >
        {(id, hint) => (
          <textarea
            id={id}
            aria-describedby={hint}
            className={`${inputClass} h-80 font-mono text-xs`}
            value={json}
            onChange={(e) => setJson(e.target.value)}
            spellCheck={false}
          />
        )}
      </Field>
      <p className="text-sm text-slate-700">
        Runs against and is stored with <strong>{base.label}</strong> ({base.tests.length} stored test case{base.tests.length === 1 ? "" : "s"}).
        {sameName && " A stored case has this name: saving replaces it."}
      </p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={secondaryButtonClass} disabled={busy || !name.trim()} onClick={() => void act("run")}>
          Run test
        </button>
        {canSave && (
          <button type="button" className={buttonClass} disabled={busy || !name.trim()} onClick={() => void act("save")}>
            Save as stored test
          </button>
        )}
      </div>
      {!canSave && (
        <p className="text-sm text-slate-700">Only admins save stored tests: copy the case into the policy editor&apos;s Tests tab to keep running it.</p>
      )}
      <ErrorMessage error={error} />
      {run && (
        <p
          role="status"
          data-testid="test-run"
          className={`rounded px-3 py-2 text-sm ${run.pass ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900"}`}
        >
          {run.pass ? "PASS" : "FAIL"}: expected {run.expect}, got {run.actual}
          {run.reasons.length > 0 && ` (${run.reasons.map((x) => x.policy).join(", ")})`}.
        </p>
      )}
      {saved !== null && (
        <SuccessMessage>
          Saved with the stored tests as draft v{saved}.{" "}
          <Link className="underline" href="/policies">
            Open it in the policy editor
          </Link>
          ; publishing it makes the test guard every later publish.
        </SuccessMessage>
      )}
    </div>
  );
}
