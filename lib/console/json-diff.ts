/**
 * Line diffs for the console (tool definitions, policy versions), computed on the server with `diff`.
 */
import { diffLines } from "diff";

export interface DiffLine {
  kind: "add" | "remove" | "same";
  text: string;
}

export function textLineDiff(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const part of diffLines(before, after)) {
    const kind = part.added ? "add" : part.removed ? "remove" : "same";
    const lines = part.value.replace(/\n$/, "").split("\n");
    for (const text of lines) out.push({ kind, text });
  }
  return out;
}

/** Stable pretty JSON (sorted keys) so that a diff shows real changes, not key order. */
export function prettyJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v), null, 2);
}

export function jsonLineDiff(before: unknown, after: unknown): DiffLine[] {
  return textLineDiff(prettyJson(before), prettyJson(after));
}

/** Keeps changed lines with `context` unchanged lines around them; long unchanged runs become one "…" line. */
export function compactDiff(lines: DiffLine[], context = 3): Array<DiffLine | { kind: "gap"; count: number }> {
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.kind !== "same") for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: Array<DiffLine | { kind: "gap"; count: number }> = [];
  let gap = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (gap) out.push({ kind: "gap", count: gap });
      gap = 0;
      out.push(l);
    } else gap++;
  });
  if (gap) out.push({ kind: "gap", count: gap });
  return out;
}
