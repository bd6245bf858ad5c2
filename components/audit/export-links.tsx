/** Export the filtered view (not just this page) as CSV or JSONL, streamed by the server. */
export function ExportLinks({ query }: { query: string }) {
  const href = (format: string) => `/api/console/audit/export?format=${format}${query ? `&${query}` : ""}`;
  const cls = "rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100";
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="export-links">
      <span className="text-slate-700">Export this filtered view:</span>
      <a className={cls} href={href("csv")} download>
        CSV
      </a>
      <a className={cls} href={href("jsonl")} download>
        JSONL
      </a>
    </div>
  );
}
