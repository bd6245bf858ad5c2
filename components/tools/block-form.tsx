"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { ErrorMessage, inputClass, dangerButtonClass, secondaryButtonClass } from "@/components/forms/fields";

/** Block (stop every call at once, on every node) or unblock a tool, with a reason. */
export function BlockForm({ server, name, blocked, canUnblock }: { server: string; name: string; blocked: boolean; canUnblock: boolean }) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (blocked && !canUnblock) return <p className="text-sm text-slate-700">Only an admin can unblock this tool.</p>;
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = !reason.trim()
          ? { ok: false as const, error: "reason: say why (it is kept in the audit log)" }
          : await callApi("POST", `/api/v1/tools/${seg(server)}/${seg(name)}/${blocked ? "unblock" : "block"}`, { reason: reason.trim() });
        if (!r.ok) return setError(r.error);
        setReason("");
        setError(null);
        router.refresh();
      }}
    >
      <label className="flex-1 text-sm font-medium">
        Reason
        <input
          required
          maxLength={1000}
          className={inputClass}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={blocked ? "why it is safe again" : "why calls must stop now"}
        />
      </label>
      <button type="submit" className={blocked ? secondaryButtonClass : dangerButtonClass}>
        {blocked ? "Unblock" : "Block now"}
      </button>
      <div className="basis-full">
        <ErrorMessage error={error} />
      </div>
    </form>
  );
}
