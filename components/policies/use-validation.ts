"use client";

import { useEffect, useState } from "react";
import { validatePolicyAction } from "@/app/(console)/policies/actions";
import type { ValidationResult } from "@/lib/policy/validate";

export type ValidationState = { status: "checking" } | { status: "done"; result: ValidationResult } | { status: "error"; error: string };

/** Validates the text on the server (against the schema generated from the inventory) 400 ms after typing stops. */
export function useValidation(text: string): ValidationState {
  const [state, setState] = useState<ValidationState>({ status: "checking" });
  useEffect(() => {
    let cancelled = false;
    setState({ status: "checking" });
    const t = setTimeout(async () => {
      if (!text.trim()) return setState({ status: "done", result: { valid: false, problems: [{ message: "The policy set is empty", line: 1, column: 1, endLine: 1, endColumn: 1 }], warnings: [], policyCount: 0 } });
      try {
        const r = await validatePolicyAction(text);
        if (!cancelled) setState(r.ok ? { status: "done", result: r.data } : { status: "error", error: r.error });
      } catch (e) {
        if (!cancelled) setState({ status: "error", error: `Could not reach the server to validate: ${(e as Error).message}` });
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [text]);
  return state;
}
