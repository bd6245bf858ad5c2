"use client";

/**
 * The console's global keyboard shortcuts (issue 16 §6), on every console page: `?` lists every shortcut
 * in a dialog (Esc closes it), `/` focuses the header's search, and `g` then a letter goes to an area.
 * Keys typed into a field (typing() of the drawer) or with Ctrl/Alt/Meta are the browser's.
 *
 * The page's own keys (the drawer's j/k, the approvals queue's j/k/x/a/d/y/n, the timeline's n) listen on
 * window too. This listens before them (capture phase) and keeps to itself the keys it uses: the letter
 * after `g` (so `g a` never asks to approve, `g d` never to deny) and every key while the dialog is open
 * (so Esc closes only the dialog, not a drawer under it).
 */
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { typing } from "@/components/drawer/drawer";

/** `g` + key → area (the posture page refuses viewers: theirs has no `g o`). */
export const GO_TO: { key: string; href: string; label: string; hideFromViewer?: boolean }[] = [
  { key: "d", href: "/", label: "Dashboard" },
  { key: "n", href: "/triage", label: "Needs me" },
  { key: "s", href: "/sessions", label: "Sessions" },
  { key: "a", href: "/approvals", label: "Approvals" },
  { key: "u", href: "/audit", label: "Audit" },
  { key: "p", href: "/policies", label: "Policies" },
  { key: "t", href: "/tools", label: "Tools" },
  { key: "e", href: "/agents", label: "Agents" },
  { key: "o", href: "/posture", label: "Posture", hideFromViewer: true },
  { key: "c", href: "/account", label: "Account" },
];

/** Shortcuts of particular pages, listed in the dialog (each page's own code handles them). */
const PAGE_KEYS: { page: string; keys: [string, string][] }[] = [
  {
    page: "Audit entry or timeline step open in the drawer",
    keys: [
      ["j / k", "Next / previous record"],
      ["Esc", "Close the drawer"],
    ],
  },
  { page: "Session timeline", keys: [["n", "Open the next denied step"]] },
  {
    page: "Approvals queue",
    keys: [
      ["j / k", "Move down / up the pending items"],
      ["x", "Select the item for a bulk decision"],
      ["a / d", "Approve / deny (the item, or the selected items)"],
      ["y or Enter / n or Esc", "Confirm / cancel"],
    ],
  },
];

/** How long `g` waits for its letter. */
const SEQUENCE_MS = 1500;

const kbd = "rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-900";

export function KeyboardShortcuts({ searchId, viewer }: { searchId: string; viewer: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const areas = GO_TO.filter((g) => !(viewer && g.hideFromViewer));
  // The latest state for one capture listener registered once.
  const state = useRef({ open, areas, router, g: 0 });
  useEffect(() => {
    state.current = { ...state.current, open, areas, router };
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = state.current;
      if (s.open) {
        // The dialog is modal: its keys are its own, and Esc closes it alone.
        if (e.key === "Escape") {
          e.preventDefault();
          setOpen(false);
        }
        if (e.key !== "Tab") e.stopPropagation();
        return;
      }
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e)) {
        s.g = 0;
        return;
      }
      if (s.g && Date.now() - s.g < SEQUENCE_MS) {
        s.g = 0;
        const to = s.areas.find((a) => a.key === e.key);
        if (to) {
          e.preventDefault();
          e.stopPropagation();
          s.router.push(to.href);
          return;
        }
      }
      s.g = 0;
      if (e.key === "g" && !e.shiftKey) {
        s.g = Date.now();
      } else if (e.key === "?") {
        e.preventDefault();
        e.stopPropagation();
        setOpen(true);
      } else if (e.key === "/") {
        const box = document.getElementById(searchId);
        if (box instanceof HTMLInputElement) {
          e.preventDefault();
          box.focus();
          box.select();
        }
      }
    };
    window.addEventListener("keydown", onKey, { capture: true });
    return () => window.removeEventListener("keydown", onKey, { capture: true });
  }, [searchId]);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-keyshortcuts="?"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        className="rounded border border-slate-300 px-1.5 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-100"
      >
        ?
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts-dialog"
        onClose={() => setOpen(false)}
        className="m-auto w-full max-w-xl rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-black/40"
      >
        <div className="flex items-center border-b border-slate-200 px-4 py-2">
          <h2 id="shortcuts-title" className="flex-1 font-semibold">
            Keyboard shortcuts
          </h2>
          <button type="button" onClick={() => setOpen(false)} className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100">
            Close (Esc)
          </button>
        </div>
        <div className="max-h-[70vh] space-y-4 overflow-auto px-4 py-3 text-sm">
          <section>
            <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-600">Everywhere</h3>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
              <Row keys="?" what="Show this list" />
              <Row keys="/" what="Search (ids, agents, tools, users)" />
              {areas.map((a) => (
                <Row key={a.key} keys={`g ${a.key}`} what={`Go to ${a.label}`} />
              ))}
            </dl>
          </section>
          {PAGE_KEYS.map((p) => (
            <section key={p.page}>
              <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-600">{p.page}</h3>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                {p.keys.map(([k, w]) => (
                  <Row key={k} keys={k} what={w} />
                ))}
              </dl>
            </section>
          ))}
          <p className="text-xs text-slate-600">Shortcuts do nothing while you type in a field.</p>
        </div>
      </dialog>
    </>
  );
}

/** One shortcut: "g s" shows as two keys pressed one after the other, "a / d" as alternatives. */
function Row({ keys, what }: { keys: string; what: string }) {
  return (
    <>
      <dt className="whitespace-nowrap">
        {keys.split(" ").map((k, i) =>
          k === "/" && keys !== "/" ? (
            <span key={i}> / </span>
          ) : k === "or" ? (
            <span key={i}> or </span>
          ) : (
            <kbd key={i} className={`${kbd} ${i ? "ml-1" : ""}`}>
              {k}
            </kbd>
          ),
        )}
      </dt>
      <dd className="text-slate-700">{what}</dd>
    </>
  );
}
