/**
 * Keyset-pagination cursors: the sort key of the last row of a page, as an opaque URL-safe string.
 * Lists over large tables page with these (WHERE (key) < (cursor) ORDER BY key LIMIT n), never OFFSET,
 * so page 500 costs what page 1 costs.
 */

import type { Page } from "../console/table/definition.ts";

export type CursorValue = string | number;

/** Encodes a row's sort key (e.g. [created_at ISO, chain_id, seq]) as base64url JSON. */
export function encodeCursor(key: CursorValue[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * Decodes a cursor made by encodeCursor and checks its shape against `kinds` ("s" string, "n" number,
 * "t" ISO timestamp). Returns null for anything else: a tampered or stale cursor restarts the list
 * rather than failing.
 */
export function decodeCursor(raw: string | null | undefined, kinds: Array<"s" | "n" | "t">): CursorValue[] | null {
  if (!raw || raw.length > 512) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== kinds.length) return null;
  for (let i = 0; i < kinds.length; i++) {
    const v: unknown = parsed[i];
    const k = kinds[i];
    if (k === "n" && !(typeof v === "number" && Number.isFinite(v))) return null;
    if (k === "s" && typeof v !== "string") return null;
    if (k === "t" && !(typeof v === "string" && !Number.isNaN(Date.parse(v)))) return null;
  }
  return parsed as CursorValue[];
}

export type { Page };

/**
 * Turns `limit + 1` fetched rows into a page. `dir` is the direction of the fetch: "next" fetched
 * older rows after `cursor`, "prev" fetched newer rows before it (in reverse order; they are flipped
 * back here). `hadCursor` tells whether there is anything on the other side.
 */
export function toPage<T>(fetched: T[], limit: number, dir: "next" | "prev", hadCursor: boolean, keyOf: (row: T) => CursorValue[]): Page<T> {
  const more = fetched.length > limit;
  const rows = more ? fetched.slice(0, limit) : fetched.slice();
  if (dir === "prev") rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasOlder = dir === "next" ? more : hadCursor;
  const hasNewer = dir === "next" ? hadCursor : more;
  return {
    rows,
    next: hasOlder && last ? encodeCursor(keyOf(last)) : null,
    prev: hasNewer && first ? encodeCursor(keyOf(first)) : null,
  };
}
