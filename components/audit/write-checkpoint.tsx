"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { secondaryButtonClass } from "@/components/forms/fields";
import { callApi } from "@/components/api/call-api";

export function WriteCheckpointButton() {
  const router = useRouter();
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        className={secondaryButtonClass}
        onClick={async () => {
          const r = await callApi("POST", "/api/v1/audit/checkpoints", {});
          setMsg(r.ok ? "Checkpoint written." : r.error);
          router.refresh();
        }}
      >
        Write a checkpoint now
      </button>
      {msg && (
        <span role="status" className="text-xs text-slate-700">
          {msg}
        </span>
      )}
    </span>
  );
}
