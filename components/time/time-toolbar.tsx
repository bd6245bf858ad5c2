import type { ResolvedRange } from "@/lib/console/range-params";
import { AutoRefresh } from "./auto-refresh";
import { RangeError, RangePicker } from "./range-picker";

/**
 * The time controls of the dashboard, the session list and the audit explorer, in one row: the range
 * picker, auto-refresh with "updated at", and (`children`) the saved-views menu. A server component:
 * it passes the server's resolved range and render time to the client islands.
 */
export function TimeToolbar({
  range,
  fallback,
  label,
  updatedAt,
  children,
}: {
  range: ResolvedRange;
  fallback: string;
  label?: string;
  updatedAt: Date;
  children?: React.ReactNode;
}) {
  const current = { key: range.key, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null, label: range.label };
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <RangePicker current={current} fallback={fallback} label={label} />
        <div className="flex flex-wrap items-center gap-3">
          <AutoRefresh updatedAt={updatedAt.toISOString()} />
          {children}
        </div>
      </div>
      <RangeError error={range.error} />
    </div>
  );
}
