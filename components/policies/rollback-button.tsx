"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { DiffView } from "@/components/forms/diff-view";
import type { DiffLine } from "@/lib/console/json-diff";
import { ErrorMessage, inputClass, SuccessMessage } from "@/components/forms/fields";
import { POLICIES } from "./policy-api";

/** `diff` (active → this version) is shown in the dialog when given; `diffHref` links to the full diff page. */
export function RollbackButton({
  version,
  activeVersion,
  diff,
  diffHref,
}: {
  version: number;
  activeVersion: number | null;
  diff?: DiffLine[];
  diffHref?: string;
}) {
  const router = useRouter();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [reason, setReason] = useState("");
  return (
    <>
      <ConfirmButton
        label={`Roll back to v${version}…`}
        title={`Make v${version} active again?`}
        details={
          <>
            <p>
              v{version} replaces {activeVersion ? `the active v${activeVersion}` : "the active version"} for every new decision, on every node. It must still
              validate against today&apos;s schema. The rollback is audited with your reason.
              {diffHref && (
                <>
                  {" "}
                  <Link href={diffHref} className="text-indigo-700 underline">
                    Full diff v{activeVersion} → v{version}
                  </Link>
                </>
              )}
            </p>
            {diff && (
              <div className="mt-2">
                <DiffView lines={diff} label={`Changes from v${activeVersion} to v${version}`} />
              </div>
            )}
            <label className="mt-2 block font-medium">
              Reason (required)
              <input className={inputClass} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why go back" />
            </label>
          </>
        }
        confirmDisabled={!reason.trim()}
        confirmLabel={`Activate v${version}`}
        onConfirm={async () => {
          const r = await callApi("POST", `${POLICIES}/rollback`, { version, reason: reason.trim() });
          setMsg(r.ok ? { ok: true, text: `v${version} is active.` } : { ok: false, text: r.error });
          router.refresh();
        }}
      />
      {msg && (msg.ok ? <SuccessMessage>{msg.text}</SuccessMessage> : <ErrorMessage error={msg.text} />)}
    </>
  );
}

export function ShadowButtons({ label }: { label: string }) {
  const router = useRouter();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const done = (r: { ok: boolean; error?: string }, text: string) => {
    setMsg(r.ok ? { ok: true, text } : { ok: false, text: r.error ?? "failed" });
    router.refresh();
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ConfirmButton
        label="Publish shadow as active…"
        title={`Publish ${label} as the active version?`}
        confirmLabel="Publish"
        details={<p>The shadow version&apos;s text is validated and published as a new active version; shadow mode ends. Audited.</p>}
        onConfirm={async () => done(await callApi("POST", `${POLICIES}/shadow/promote`, {}), "Published as active; shadow mode ended.")}
      />
      <ConfirmButton
        label="Stop shadow"
        title={`Stop evaluating ${label}?`}
        confirmLabel="Stop shadow"
        danger
        details={<p>Live traffic is no longer compared with {label}. The disagreements recorded so far stay in the audit log.</p>}
        onConfirm={async () => done(await callApi("POST", `${POLICIES}/shadow/end`, {}), "Shadow mode ended.")}
      />
      {msg && (msg.ok ? <SuccessMessage>{msg.text}</SuccessMessage> : <ErrorMessage error={msg.text} />)}
    </div>
  );
}
