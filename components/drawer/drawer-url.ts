"use client";

import { useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * One query parameter that holds which record a drawer shows (`?entry=`, `?step=`). It is changed with
 * the browser's history API, which Next.js's router follows (useSearchParams sees it) without asking
 * the server for the page again: the list under the drawer is not reloaded and keeps its scroll.
 * Opening adds a history entry (Back closes the drawer); moving with j/k and closing replace it.
 */
export function useDrawerParam(name: string): [string | null, (value: string | null, how?: "push" | "replace") => void] {
  const params = useSearchParams();
  const value = params.get(name);
  const set = useCallback(
    (next: string | null, how: "push" | "replace" = "replace") => {
      const url = new URL(window.location.href);
      if (next === null) url.searchParams.delete(name);
      else url.searchParams.set(name, next);
      // A colon needs no escaping in a query (RFC 3986): `?entry=<chain>:<seq>` stays readable when pasted.
      const search = url.searchParams.toString().replace(/%3A/gi, ":");
      const target = `${url.pathname}${search ? `?${search}` : ""}${url.hash}`;
      if (how === "push") window.history.pushState(null, "", target);
      else window.history.replaceState(null, "", target);
    },
    [name],
  );
  return [value, set];
}
