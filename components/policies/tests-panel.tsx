"use client";

import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { buttonClass, ErrorMessage } from "@/components/forms/fields";
import type { PolicyTestResult } from "@/lib/policy/tests";
import { policyError, POLICIES, testCasesOf } from "./policy-api";

export const TEST_EXAMPLE = `[
  {
    "name": "support may read a customer",
    "agent": "support-assistant",
    "tool": "crm/get_customer",
    "arguments": { "customer_id": "c-1" },
    "expect": "allow"
  },
  {
    "name": "no mail after reading PII and web content",
    "agent": "support-assistant",
    "tool": "mail/send_email",
    "session": { "labels": ["pii", "untrusted_content"] },
    "expect": "deny"
  }
]`;

/** The test cases of the text being edited; `canEdit` false (a viewer): read-only, nothing to run or fill in. */
export function TestsPanel({ text, tests, onTests, canEdit }: { text: string; tests: string; onTests: (v: string) => void; canEdit: boolean }) {
  const [results, setResults] = useState<PolicyTestResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const failed = results?.filter((r) => !r.pass).length ?? 0;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        Test cases are saved with the policy version and run here and in CI with <code>mandate policy test</code> (non-zero exit on failure). Each case is a
        call and its expected outcome: <code>allow</code>, <code>deny</code> or <code>require_approval</code>.
      </p>
      <label className="block text-sm font-medium">
        Test cases (JSON)
        <textarea
          value={tests}
          onChange={(e) => onTests(e.target.value)}
          readOnly={!canEdit}
          rows={14}
          spellCheck={false}
          className="mt-1 block w-full rounded border border-slate-400 bg-white p-2 font-mono text-xs"
        />
      </label>
      <div className="flex items-center gap-3">
        {canEdit && (
          <button
            type="button"
            disabled={running}
            className={buttonClass}
            onClick={async () => {
              const cases = testCasesOf(tests);
              if (!cases.ok) return setError(cases.error);
              setRunning(true);
              const r = await callApi<{ results: PolicyTestResult[] }>("POST", `${POLICIES}/tests`, { text, tests: cases.tests });
              setRunning(false);
              if (!r.ok) return setError(policyError(r));
              setError(null);
              setResults(r.data.results);
            }}
          >
            {running ? "Running…" : "Run tests"}
          </button>
        )}
        {canEdit && (!tests.trim() || tests.trim() === "[]") ? (
          <button type="button" className="text-sm text-indigo-700 underline" onClick={() => onTests(TEST_EXAMPLE)}>
            Start from an example
          </button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {results && (
        <div className="space-y-1">
          <p role="status" data-testid="test-summary" className={`text-sm font-medium ${failed ? "text-red-800" : "text-emerald-800"}`}>
            {results.length - failed} passed, {failed} failed
          </p>
          <ul className="space-y-1 text-sm">
            {results.map((r, i) => (
              <li
                key={i}
                data-testid="test-result"
                data-pass={r.pass}
                className={`rounded border-l-4 bg-white px-2 py-1 ${r.pass ? "border-emerald-600" : "border-red-600"}`}
              >
                <strong>{r.pass ? "PASS" : "FAIL"}</strong> {r.name} — expected <code>{r.expect}</code>, got <code>{r.actual}</code>
                {!r.pass && r.reasons.length > 0 && <span className="text-slate-700"> ({r.reasons.map((x) => `${x.policy}: ${x.message}`).join("; ")})</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
