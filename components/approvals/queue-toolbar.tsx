"use client";

/**
 * The queue's controls, always the same elements (disabled when they do not apply), so the list below
 * never moves when one appears: the layout (cards or table, stored per user), the filters (agent, tool,
 * session, age), bulk deny of the selected items, "Tidy up" (drops collapsed items and re-sorts), and the
 * opt-in browser notification.
 */
import { useState, useSyncExternalStore } from "react";
import type { ApprovalsView } from "@/lib/console/preferences";
import { secondaryButtonClass } from "@/components/forms/fields";
import { disableNotifications, enableNotifications, notificationsOn, notificationsSupported, subscribeNotifications } from "./notify";
import type { Filters } from "./queue-state";

const selectClass = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900";
const AGES = [
  { min: 0, label: "any age" },
  { min: 1, label: "waiting ≥ 1 min" },
  { min: 5, label: "waiting ≥ 5 min" },
  { min: 15, label: "waiting ≥ 15 min" },
  { min: 60, label: "waiting ≥ 1 h" },
];

export interface ToolbarProps {
  mode: ApprovalsView;
  onMode: (m: ApprovalsView) => void;
  filters: Filters;
  onFilters: (f: Omit<Filters, "since">) => void;
  agents: string[];
  tools: string[];
  selected: number;
  collapsed: number;
  canDecide: boolean;
  busy: boolean;
  onBulkDeny: () => void;
  onTidy: () => void;
}

function NotifyToggle() {
  // The server cannot know this browser's choice: off there, and read from the browser after hydration.
  const on = useSyncExternalStore(subscribeNotifications, notificationsOn, () => false);
  const supported = useSyncExternalStore(subscribeNotifications, notificationsSupported, () => false);
  const [note, setNote] = useState<string | null>(null);
  const toggle = async () => {
    if (on) return disableNotifications();
    const ok = await enableNotifications();
    setNote(ok ? null : "The browser refused notifications (allow them in its site settings)");
  };
  return (
    <button
      type="button"
      className={secondaryButtonClass}
      aria-pressed={on}
      data-testid="notify-toggle"
      onClick={() => void toggle()}
      disabled={!supported}
      title={
        note ??
        (!supported
          ? "This browser has no notifications"
          : on
            ? "This browser notifies you when a new approval waits; click to stop"
            : "Get a browser notification when a new approval waits")
      }
    >
      {on ? "Notifying" : "Notify me"}
    </button>
  );
}

export function QueueToolbar(p: ToolbarProps) {
  const set = (patch: Partial<Filters>) => {
    const { agent, tool, session, minAgeMin } = { ...p.filters, ...patch };
    p.onFilters({ agent, tool, session, minAgeMin });
  };
  return (
    <div className="flex h-10 flex-nowrap items-center gap-2 overflow-x-auto text-sm" role="toolbar" aria-label="Approvals queue">
      <span className="inline-flex rounded border border-slate-300" role="group" aria-label="Layout">
        {(["cards", "table"] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={p.mode === m}
            onClick={() => p.onMode(m)}
            className={`px-2 py-1 capitalize ${p.mode === m ? "bg-indigo-700 text-white" : "bg-white text-slate-800 hover:bg-slate-100"}`}
          >
            {m}
          </button>
        ))}
      </span>
      <select aria-label="Agent" className={selectClass} value={p.filters.agent} onChange={(e) => set({ agent: e.target.value })}>
        <option value="">all agents</option>
        {p.agents.map((a) => (
          <option key={a}>{a}</option>
        ))}
      </select>
      <select aria-label="Tool" className={selectClass} value={p.filters.tool} onChange={(e) => set({ tool: e.target.value })}>
        <option value="">all tools</option>
        {p.tools.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Session contains"
        placeholder="session contains"
        className={`${selectClass} w-40`}
        value={p.filters.session}
        onChange={(e) => set({ session: e.target.value })}
      />
      <select aria-label="Age" className={selectClass} value={p.filters.minAgeMin} onChange={(e) => set({ minAgeMin: Number(e.target.value) })}>
        {AGES.map((a) => (
          <option key={a.min} value={a.min}>
            {a.label}
          </option>
        ))}
      </select>
      <span className="flex-1" />
      <button type="button" className={secondaryButtonClass} disabled={!p.canDecide || p.busy || p.selected === 0} onClick={p.onBulkDeny}>
        Deny selected ({p.selected})
      </button>
      <button
        type="button"
        className={secondaryButtonClass}
        disabled={p.collapsed === 0}
        onClick={p.onTidy}
        title="Remove the items decided or expired and put the rest in order"
      >
        Tidy up ({p.collapsed})
      </button>
      <NotifyToggle />
    </div>
  );
}
