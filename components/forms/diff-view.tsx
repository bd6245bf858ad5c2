import { compactDiff, type DiffLine } from "@/lib/console/json-diff";

/** A unified line diff: removed lines red with "−", added lines green with "+" (the sign carries the meaning, not only the colour). */
export function DiffView({ lines, label, context = 3 }: { lines: DiffLine[]; label: string; context?: number }) {
  const changed = lines.some((l) => l.kind !== "same");
  if (!changed) return <p className="text-sm text-slate-700">No differences.</p>;
  return (
    <pre
      aria-label={label}
      className="max-h-[32rem] overflow-auto rounded border border-slate-200 bg-white py-1 font-mono text-xs leading-5"
      data-testid="diff"
    >
      {compactDiff(lines, context).map((l, i) =>
        l.kind === "gap" ? (
          <div key={i} className="bg-slate-50 px-2 text-slate-500">
            ⋯ {l.count} unchanged line{l.count === 1 ? "" : "s"}
          </div>
        ) : (
          <div
            key={i}
            className={`whitespace-pre-wrap break-all px-2 ${l.kind === "add" ? "bg-emerald-50 text-emerald-900" : l.kind === "remove" ? "bg-red-50 text-red-900" : "text-slate-700"}`}
          >
            <span aria-hidden className="select-none pr-2">
              {l.kind === "add" ? "+" : l.kind === "remove" ? "−" : " "}
            </span>
            <span className="sr-only">{l.kind === "add" ? "added: " : l.kind === "remove" ? "removed: " : ""}</span>
            {l.text}
          </div>
        ),
      )}
    </pre>
  );
}
