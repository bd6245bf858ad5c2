"use client";

import { useRouter } from "next/navigation";
import { DecideForm } from "./decide-form";

export function ApprovalDecision({ id, canDecide }: { id: string; canDecide: boolean }) {
  const router = useRouter();
  if (!canDecide) return <p className="text-sm text-slate-700">Deciding approvals needs the analyst or admin role.</p>;
  return <DecideForm id={id} onDone={() => router.refresh()} />;
}
