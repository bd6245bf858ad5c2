"use client";

import { useEffect, useState } from "react";
import { callApi } from "@/components/api/call-api";
import { POLICIES } from "./policy-api";
import type { ValidationResult } from "@/lib/policy/validate";

export type ValidationState = { status: "checking" } | { status: "done"; result: ValidationResult } | { status: "error"; error: string };

/** Validates the text on the server (against the schema generated from the inventory) 400 ms after typing stops. */
export function useValidation(text: string): ValidationState {
  const [state, setState] = useState<ValidationState>({ status: "checking" });
  useEffect(() => {
    let cancelled = false;
    setState({ status: "checking" });
    const validate = async () => {
      if (!text.trim())
        return setState({
          status: "done",
          result: {
            valid: false,
            problems: [{ message: "The policy set is empty", line: 1, column: 1, endLine: 1, endColumn: 1 }],
            warnings: [],
            policyCount: 0,
          },
        });
      const r = await callApi<ValidationResult>("POST", `${POLICIES}/validate`, { text });
      if (!cancelled) setState(r.ok ? { status: "done", result: r.data } : { status: "error", error: r.error });
    };
    const t = setTimeout(() => void validate(), 400); // validate reports its own failures in the state
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [text]);
  return state;
}
