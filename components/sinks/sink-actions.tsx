"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { ErrorMessage, secondaryButtonClass, SuccessMessage } from "@/components/forms/fields";

type TestResult = { ok: boolean; status: number | null; detail: string; event_id: string; permanent?: boolean };

/** "Send test event": POST /api/v1/sinks/:name/test, and the receiver's answer under the button. */
export function TestSinkButton({ name }: { name: string }) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <button
        type="button"
        disabled={pending}
        className={secondaryButtonClass}
        onClick={async () => {
          setPending(true);
          const r = await callApi<TestResult>("POST", `/api/v1/sinks/${seg(name)}/test`, {});
          setPending(false);
          setResult(r.ok ? r.data : null);
          setError(r.ok ? null : r.error);
        }}
      >
        {pending ? "Sending…" : "Send test event"}
      </button>
      {result?.ok && <SuccessMessage>Taken: {result.detail}</SuccessMessage>}
      {result && !result.ok && <ErrorMessage error={`${result.permanent ? "Refused" : "Failed"}: ${result.detail}`} />}
      <ErrorMessage error={error} />
    </div>
  );
}

/** Remove a sink (DELETE /api/v1/sinks/:name) after a confirmation that says what goes with it. */
export function RemoveSinkButton({ name, lag, deadLetters }: { name: string; lag: number; deadLetters: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <ConfirmButton
        label="Remove"
        danger
        title={`Remove the sink ${name}?`}
        confirmLabel="Remove sink"
        onConfirm={async () => {
          const r = await callApi("DELETE", `/api/v1/sinks/${seg(name)}`);
          setError(r.ok ? null : r.error);
          router.refresh();
        }}
        details={
          <p>
            Mandate stops streaming the audit to it. Its cursors and its {deadLetters} dead letter{deadLetters === 1 ? "" : "s"} are deleted
            {lag > 0 ? `, and the ${lag} entries it has not received yet are never sent to it` : ""}. The audit log itself is unchanged; the removal is audited.
          </p>
        }
      />
      <ErrorMessage error={error} />
    </div>
  );
}

type RetryResult = TestResult & { delivered: boolean };

/** "Send again": POST /api/v1/sinks/:name/dead-letters/retry for one dead letter; the receiver's answer, then the list refreshed. */
export function RetryDeadLetterButton({ sink, chainId, seq }: { sink: string; chainId: string; seq: number }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<RetryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <button
        type="button"
        disabled={pending}
        className={secondaryButtonClass}
        onClick={async () => {
          setPending(true);
          const r = await callApi<RetryResult>("POST", `/api/v1/sinks/${seg(sink)}/dead-letters/retry`, { chain_id: chainId, seq });
          setPending(false);
          setResult(r.ok ? r.data : null);
          setError(r.ok ? null : r.error);
          router.refresh();
        }}
      >
        {pending ? "Sending…" : "Send again"}
      </button>
      {result && !result.delivered && <ErrorMessage error={`Refused again: ${result.detail}`} />}
      <ErrorMessage error={error} />
    </div>
  );
}
