"use client";

/**
 * The queue's keyboard: j/k move the cursor over the items still pending, x selects the cursor's item
 * for a bulk decision, a asks to approve the cursor's item and d to deny it (or, with items selected,
 * all of them); y or Enter confirms, n or Esc cancels (Esc with nothing to confirm clears the
 * selection). Keys typed into a field, or with Ctrl/Alt/Meta, are the browser's.
 */
import { useEffect, useRef } from "react";
import { typing } from "@/components/drawer/drawer";

export interface Confirming {
  decision: "approve" | "deny";
  ids: string[];
}

export interface QueueKeys {
  move: (step: 1 | -1) => void;
  toggleSelect: () => void;
  /** Asks for confirmation; null when there is nothing to decide (or the role may not). */
  ask: (decision: "approve" | "deny") => void;
  confirm: () => void;
  cancel: () => void;
  confirming: boolean;
}

export function useQueueKeys(keys: QueueKeys): void {
  // The latest handlers, read by one listener registered once.
  const ref = useRef(keys);
  useEffect(() => {
    ref.current = keys;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
      const k = ref.current;
      const key = e.key;
      if (k.confirming) {
        if (key === "y" || key === "Enter") k.confirm();
        else if (key === "n" || key === "Escape") k.cancel();
        else return;
        e.preventDefault();
        return;
      }
      if (key === "j") k.move(1);
      else if (key === "k") k.move(-1);
      else if (key === "x") k.toggleSelect();
      else if (key === "a") k.ask("approve");
      else if (key === "d") k.ask("deny");
      else if (key === "Escape") k.cancel();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
