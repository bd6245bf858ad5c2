"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";

/**
 * A console change that is one POST through `callApi`: `run(path, body)` sends it, keeps the API's error
 * (or clears it on success) for an ErrorMessage, refreshes the page's server data either way, and
 * resolves with whether it succeeded.
 */
export function useApiAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = async (path: string, body: unknown = {}): Promise<boolean> => {
    const r = await callApi("POST", path, body);
    setError(r.ok ? null : r.error);
    router.refresh();
    return r.ok;
  };
  return { error, run };
}
