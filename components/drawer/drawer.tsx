"use client";

/**
 * The right-hand drawer of the console (issue 16 §1): an audit entry or a timeline step opens over its
 * list, which stays where it is (the drawer has no backdrop and the list keeps its scroll). It shows the
 * record's details and its full JSON with a copy button; `j`/`k` go to the next/previous record of the
 * list, Esc closes. Where it is open lives in the URL (the caller's `?entry=` / `?step=`, see
 * drawer-url.ts), so a pasted link opens the same view.
 */
import { useEffect, useRef, useState } from "react";

export interface DrawerProps {
  /** Accessible name and heading, e.g. "Audit entry 3f2a…#12". */
  title: string;
  /** The record as JSON (shown whole and copied by the button). */
  json: unknown;
  /** Where the record is in its list, e.g. "3 of 50" (omitted when it is not in the list shown). */
  position?: string;
  onClose: () => void;
  /** Null when there is no previous/next record. */
  onPrev: (() => void) | null;
  onNext: (() => void) | null;
  children?: React.ReactNode;
}

/**
 * True when a key press belongs to what the user is typing into (a field, a select, contenteditable), not
 * to the console's keyboard shortcuts: the drawer's, the approvals queue's, the timeline's and the global
 * ones (components/shell/shortcuts.tsx).
 */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target;
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT";
}

export function Drawer({ title, json, position, onClose, onPrev, onNext, children }: DrawerProps) {
  const text = JSON.stringify(json, null, 2);
  // What the last copy did, for the text it copied (another record starts again with "Copy JSON").
  const [copy, setCopy] = useState<{ text: string; ok: boolean } | null>(null);
  const copied = copy?.text === text ? (copy.ok ? "yes" : "failed") : null;
  const closeRef = useRef<HTMLButtonElement>(null);
  // The latest handlers, for one keydown listener for the drawer's lifetime.
  const handlers = useRef({ onClose, onPrev, onNext });
  const textRef = useRef(text);
  // j/k pressed faster than the drawer renders: a move made from a record that is still on screen would
  // be computed from that same record again (k, k would go back one, not two). So after a move, further
  // presses wait in order until the moved-to record is rendered (or a second has passed).
  const moves = useRef<{ from: string | null; since: number; queue: ("j" | "k")[] }>({ from: null, since: 0, queue: [] });
  const move = useRef((key: "j" | "k") => {
    const m = moves.current;
    if (m.from !== null && Date.now() - m.since < 1000) {
      m.queue.push(key);
      return;
    }
    const go = key === "j" ? handlers.current.onNext : handlers.current.onPrev;
    m.queue = [];
    if (!go) return;
    m.from = textRef.current;
    m.since = Date.now();
    go();
  });
  useEffect(() => {
    handlers.current = { onClose, onPrev, onNext };
    textRef.current = text;
    const m = moves.current;
    if (m.from !== null && m.from !== text) {
      m.from = null;
      const queued = m.queue.shift();
      const rest = m.queue;
      if (queued) {
        move.current(queued);
        moves.current.queue.push(...rest);
      }
    }
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "Escape") {
        e.preventDefault();
        handlers.current.onClose();
        return;
      }
      if (typing(e)) return;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        move.current(e.key);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => closeRef.current?.focus({ preventScroll: true }), []);

  const copyJson = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopy({ text, ok: true });
    } catch {
      setCopy({ text, ok: false });
    }
  };

  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-100 disabled:opacity-40";
  return (
    <aside
      role="dialog"
      aria-modal="false"
      aria-label={title}
      data-testid="drawer"
      className="fixed inset-y-0 right-0 z-40 flex w-full max-w-2xl flex-col border-l border-slate-300 bg-white shadow-2xl"
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2">
        <h2 className="min-w-0 flex-1 truncate font-semibold" title={title}>
          {title}
        </h2>
        {position && (
          <span className="text-xs text-slate-600" data-testid="drawer-position">
            {position}
          </span>
        )}
        <button type="button" className={btn} onClick={() => onPrev?.()} disabled={!onPrev} aria-keyshortcuts="k" title="Previous (k)">
          ↑ Previous
        </button>
        <button type="button" className={btn} onClick={() => onNext?.()} disabled={!onNext} aria-keyshortcuts="j" title="Next (j)">
          ↓ Next
        </button>
        <button ref={closeRef} type="button" className={btn} onClick={onClose} aria-keyshortcuts="Escape" title="Close (Esc)">
          Close
        </button>
      </header>
      <div className="min-h-0 flex-1 space-y-3 overflow-auto px-4 py-3 text-sm">
        {children}
        <section aria-label="Full JSON" className="space-y-1">
          <div className="flex items-center gap-2">
            <h3 className="text-xs font-medium text-slate-700">Full JSON</h3>
            <button type="button" className={btn} onClick={() => void copyJson()}>
              {copied === "yes" ? "Copied" : "Copy JSON"}
            </button>
            {copied === "failed" && (
              <span role="alert" className="text-xs text-red-800">
                The browser refused the clipboard: select the text below.
              </span>
            )}
          </div>
          <pre data-testid="drawer-json" className="whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs">
            {text}
          </pre>
        </section>
      </div>
    </aside>
  );
}
