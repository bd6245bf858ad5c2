import { Timestamp } from "@/components/time/timestamp";

/**
 * A time in a list or a detail line: the absolute time in the console's one format, with "3h ago" as a
 * secondary hint (components/time/timestamp.tsx; the relative hint alone keeps the server's text at
 * hydration, see e2e/relative-times-hydrate.spec.ts).
 */
export function TimeAgo({ at, empty = "never" }: { at: string | null; empty?: string }) {
  return <Timestamp at={at} relative empty={empty} />;
}
