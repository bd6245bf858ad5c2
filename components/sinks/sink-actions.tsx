"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { ErrorMessage, secondaryButtonClass, SuccessMessage } from "@/components/forms/fields";

type TestResult = { ok: boolean; status: number | null; detail: string; event_id: string; permanent?: boolean };

/**
 * A button that sends one POST to a receiver through Mandate and shows the receiver's answer under it
 * (`answer`), or the API's error; `after` runs once the answer is in (e.g. refresh the page's data).
 */
function SendButton<T>({
  label,
  path,
  body,
  answer,
  after,
}: {
  label: string;
  path: string;
  body: unknown;
  answer: (result: T) => React.ReactNode;
  after?: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <button
        type="button"
        disabled={pending}
        className={secondaryButtonClass}
        onClick={async () => {
          setPending(true);
          const r = await callApi<T>("POST", path, body);
          setPending(false);
          setResult(r.ok ? r.data : null);
          setError(r.ok ? null : r.error);
          after?.();
        }}
      >
        {pending ? "Sending…" : label}
      </button>
      {result && answer(result)}
      <ErrorMessage error={error} />
    </div>
  );
}

/** "Send test event": POST /api/v1/sinks/:name/test, and the receiver's answer under the button. */
export function TestSinkButton({ name }: { name: string }) {
  return (
    <SendButton<TestResult>
      label="Send test event"
      path={`/api/v1/sinks/${seg(name)}/test`}
      body={{}}
      answer={(r) =>
        r.ok ? <SuccessMessage>Taken: {r.detail}</SuccessMessage> : <ErrorMessage error={`${r.permanent ? "Refused" : "Failed"}: ${r.detail}`} />
      }
    />
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
  return (
    <SendButton<RetryResult>
      label="Send again"
      path={`/api/v1/sinks/${seg(sink)}/dead-letters/retry`}
      body={{ chain_id: chainId, seq }}
      answer={(r) => (r.delivered ? null : <ErrorMessage error={`Refused again: ${r.detail}`} />)}
      after={() => router.refresh()}
    />
  );
}
