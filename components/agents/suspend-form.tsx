"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { dangerButtonClass, ErrorMessage, inputClass, secondaryButtonClass } from "@/components/forms/fields";

export function SuspendForm({ agent, suspended }: { agent: string; suspended: boolean }) {
  const router = useRouter();
  const [why, setWhy] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = !why.trim()
          ? { ok: false as const, error: "reason: say why (it is kept in the audit log)" }
          : await callApi("POST", `/api/v1/agents/${seg(agent)}/${suspended ? "unsuspend" : "suspend"}`, { reason: why.trim() });
        if (!r.ok) return setError(r.error);
        setWhy("");
        setError(null);
        router.refresh();
      }}
    >
      <label className="flex-1 text-sm font-medium">
        Reason
        <input required maxLength={1000} value={why} onChange={(e) => setWhy(e.target.value)} className={inputClass} />
      </label>
      <button type="submit" className={suspended ? secondaryButtonClass : dangerButtonClass}>
        {suspended ? "Lift suspension" : "Suspend agent"}
      </button>
      <div className="basis-full">
        <ErrorMessage error={error} />
      </div>
    </form>
  );
}
