import { ago, shortTime } from "@/lib/console/format";

/** A time shown relative ("3h ago") with the exact UTC time as tooltip and machine-readable value. */
export function TimeAgo({ at, empty = "never" }: { at: string | null; empty?: string }) {
  if (!at) return <span className="text-slate-500">{empty}</span>;
  return (
    <time dateTime={at} title={shortTime(at)} className="whitespace-nowrap">
      {ago(at)}
    </time>
  );
}
