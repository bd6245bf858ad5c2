import type { DefinitionVersion, HistoryEntry } from "@/lib/console/tool-detail";
import { DiffView } from "@/components/forms/diff-view";
import { TimeAgo } from "@/components/forms/time-ago";

const ACTIONS: Record<string, string> = {
  "tool.approve": "approved",
  "tool.reject": "rejected",
  "tool.block": "blocked",
  "tool.unblock": "unblocked",
  "inventory.new": "first reported",
  "inventory.changed": "definition changed",
};

export function DecisionHistory({ entries }: { entries: HistoryEntry[] }) {
  if (!entries.length) return <p className="text-sm text-slate-700">No admin actions on this tool yet.</p>;
  return (
    <ol className="space-y-2 text-sm" data-testid="tool-history">
      {entries.map((e, i) => {
        const c = e.data.classification as { effect?: string; risk?: string; labels?: string[] } | null | undefined;
        return (
          <li key={i} className="rounded border border-slate-200 bg-white px-3 py-2">
            <span className="font-medium">{ACTIONS[e.action] ?? e.action}</span> by <span className="font-mono text-xs">{e.actor}</span> · <TimeAgo at={e.at} />
            {c?.effect && (
              <span className="text-slate-700">
                {" "}
                · {c.effect}/{c.risk}
                {c.labels?.length ? ` [${c.labels.join(", ")}]` : ""}
              </span>
            )}
            {e.note && <p className="mt-1 text-slate-700">“{e.note}”</p>}
          </li>
        );
      })}
    </ol>
  );
}

export function DefinitionVersions({ versions }: { versions: DefinitionVersion[] }) {
  if (versions.length <= 1)
    return (
      <p className="text-sm text-slate-700">
        The definition has not changed since it was first reported
        {versions[0] ? (
          <>
            {" "}
            (<TimeAgo at={versions[0].seenAt} />)
          </>
        ) : null}
        .
      </p>
    );
  return (
    <ol className="space-y-3">
      {versions.map((v) => (
        <li key={v.hash + v.seenAt}>
          <p className="text-sm">
            <span className="font-mono text-xs">{v.hash.slice(0, 12)}</span> seen <TimeAgo at={v.seenAt} />
          </p>
          {v.diff ? (
            <DiffView lines={v.diff} label={`Changes in definition ${v.hash.slice(0, 12)}`} />
          ) : (
            <p className="text-sm text-slate-600">First version.</p>
          )}
        </li>
      ))}
    </ol>
  );
}
