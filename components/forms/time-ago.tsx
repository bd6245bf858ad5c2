import { ago, shortTime } from "@/lib/console/format";

/**
 * A time shown relative ("3h ago") with the exact UTC time as tooltip and machine-readable value.
 * Inside client components it is computed twice — on the server, then when the page hydrates — and the
 * two differ once a second (or a clock difference) passes between them: the server's text is kept
 * (suppressHydrationWarning) instead of React discarding the server HTML and rendering the page again
 * on the client, which loses focus and anything typed meanwhile (e2e/relative-times-hydrate.spec.ts).
 */
export function TimeAgo({ at, empty = "never" }: { at: string | null; empty?: string }) {
  if (!at) return <span className="text-slate-500">{empty}</span>;
  return (
    <time dateTime={at} title={shortTime(at)} className="whitespace-nowrap" suppressHydrationWarning>
      {ago(at)}
    </time>
  );
}
