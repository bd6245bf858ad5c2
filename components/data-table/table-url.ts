"use client";

import { usePathname, useRouter } from "next/navigation";
import { useCallback } from "react";
import { tableStateToParams, type TableDefinition, type TableState } from "@/lib/console/table/definition";

/** Builds hrefs for table states and navigates to them (the URL is the table's state). */
export function useTableUrl(definition: TableDefinition, state: TableState) {
  const pathname = usePathname();
  const router = useRouter();
  const href = useCallback(
    (change: Partial<TableState>) => {
      // Any change but paging starts again from the first page.
      const next: TableState = { ...state, cursor: null, ...change };
      const qs = tableStateToParams(definition, next).toString();
      return qs ? `${pathname}?${qs}` : pathname;
    },
    [definition, state, pathname],
  );
  const go = useCallback((change: Partial<TableState>) => router.push(href(change)), [router, href]);
  return { href, go };
}
