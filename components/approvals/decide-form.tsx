"use client";

import { useState } from "react";
import { ErrorMessage, buttonClass, dangerButtonClass, inputClass } from "@/components/forms/fields";
import { callApi } from "@/components/api/call-api";

/** What the reviewer is told after deciding `n` approvals this way. */
export function decisionMessage(decision: "approve" | "deny", n: number): string {
  if (n === 1)
    return decision === "approve" ? "Approved: the agent's retried call with the same arguments will be allowed once." : "Denied: the call stays blocked.";
  return decision === "approve" ? `Approved ${n} approvals.` : `Denied ${n} approvals: the calls stay blocked.`;
}

/** Approve or deny with a comment (POST /api/v1/approvals/:id/decision; the server checks the role). */
export function DecideForm({ id, onDone }: { id: string; onDone: (message: string, decision: "approve" | "deny") => void }) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<"approve" | "deny" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = async (decision: "approve" | "deny") => {
    setBusy(decision);
    setError(null);
    const r = await callApi("POST", `/api/v1/approvals/${id}/decision`, { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) });
    setBusy(null);
    if (!r.ok) return setError(r.error);
    onDone(decisionMessage(decision, 1), decision);
  };
  return (
    <form className="space-y-2" onSubmit={(e) => e.preventDefault()}>
      <label className="block text-sm font-medium">
        Comment (recorded with your decision)
        <input className={inputClass} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} placeholder="why" />
      </label>
      <div className="flex gap-2">
        <button type="button" className={buttonClass} disabled={busy !== null} onClick={() => decide("approve")}>
          {busy === "approve" ? "Approving…" : "Approve"}
        </button>
        <button type="button" className={dangerButtonClass} disabled={busy !== null} onClick={() => decide("deny")}>
          {busy === "deny" ? "Denying…" : "Deny"}
        </button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}
