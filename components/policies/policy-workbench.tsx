"use client";

import { useRef, useState } from "react";
import type { CompletionModel } from "@/lib/policy/cedar-completion";
import { DiffView } from "@/components/forms/diff-view";
import { textLineDiff } from "@/lib/console/json-diff";
import { CedarEditor, type CedarEditorHandle } from "./cedar-editor";
import { ValidationStatus } from "./problems-list";
import { PublishControls } from "./publish-controls";
import { ReplayPanel } from "./replay-panel";
import { TestsPanel } from "./tests-panel";
import { useValidation } from "./use-validation";

type Tab = "diff" | "tests" | "replay";

export interface WorkbenchProps {
  role: "admin" | "analyst" | "viewer";
  initialText: string;
  initialTests: string;
  source: string;
  activeText: string;
  activeLabel: string | null;
  retentionDays: number;
  /** Completion from the schema the server validates against (lib/policy/cedar-completion.ts). */
  completion: CompletionModel | null;
}

/** The policy editor: Cedar text validated live, diff against the active version, tests, replay, publish. */
export function PolicyWorkbench({ role, initialText, initialTests, source, activeText, activeLabel, retentionDays, completion }: WorkbenchProps) {
  const editor = useRef<CedarEditorHandle | null>(null);
  const [text, setText] = useState(initialText);
  const [tests, setTests] = useState(initialTests);
  const [tab, setTab] = useState<Tab>("diff");
  const v = useValidation(text);
  const problems = v.status === "done" ? v.result.problems : [];
  const warnings = v.status === "done" ? v.result.warnings : [];
  const valid = v.status === "done" && v.result.valid;
  const tabs: Array<[Tab, string]> = [
    ["diff", "Diff vs active"],
    ["tests", "Tests"],
    ...(role !== "viewer" ? ([["replay", "What-if replay"]] as Array<[Tab, string]>) : []),
  ];

  return (
    <div className="space-y-4">
      <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <div className="space-y-1">
          <p className="text-xs text-slate-600">
            {role === "viewer" ? `Showing: ${source} (read-only).` : `Editing: ${source}. Tab leaves the editor; Ctrl-] / Ctrl-[ indent.`}
          </p>
          <CedarEditor
            value={text}
            onChange={setText}
            problems={problems}
            warnings={warnings}
            readOnly={role === "viewer"}
            label="Cedar policy set"
            completion={completion}
            handleRef={editor}
          />
        </div>
        <aside className="space-y-4" aria-label="Validation and publishing">
          <ValidationStatus v={v} onJump={(line, column) => editor.current?.goTo(line, column)} />
          {role === "admin" ? (
            <PublishControls text={text} tests={tests} activeText={activeText} activeLabel={activeLabel} valid={valid} />
          ) : (
            <p className="text-sm text-slate-700">
              Only admins save and publish policy.{" "}
              {role === "analyst"
                ? "You can edit this text to validate it, run the tests and replay history against it; nothing you change here is saved."
                : "You can read and validate this text."}
            </p>
          )}
        </aside>
      </div>
      <div>
        <div role="tablist" aria-label="Policy tools" className="flex gap-1 border-b border-slate-300">
          {tabs.map(([id, label]) => (
            <button
              key={id}
              role="tab"
              id={`tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`panel-${id}`}
              tabIndex={tab === id ? 0 : -1}
              onClick={() => setTab(id)}
              onKeyDown={(e) => {
                // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab moves on to the panel.
                const i = tabs.findIndex(([t]) => t === tab);
                const next = e.key === "ArrowRight" ? (i + 1) % tabs.length : e.key === "ArrowLeft" ? (i - 1 + tabs.length) % tabs.length : -1;
                if (next < 0) return;
                setTab(tabs[next][0]);
                document.getElementById(`tab-${tabs[next][0]}`)?.focus();
              }}
              className={
                "-mb-px rounded-t border px-3 py-1.5 text-sm " +
                (tab === id ? "border-slate-300 border-b-white bg-white font-medium" : "border-transparent text-slate-700 hover:text-slate-900")
              }
            >
              {label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="rounded-b border border-t-0 border-slate-300 bg-white p-4">
          {tab === "diff" &&
            (activeLabel ? (
              <DiffView lines={textLineDiff(activeText, text)} label={`Changes against ${activeLabel}`} />
            ) : (
              <p className="text-sm text-slate-700">No version is active yet: publishing this one makes it active.</p>
            ))}
          {tab === "tests" && <TestsPanel text={text} tests={tests} onTests={setTests} canEdit={role !== "viewer"} />}
          {/* Kept mounted: a replay's results stay (marked stale once the draft changes) while another tab is shown. */}
          {role !== "viewer" && (
            <div hidden={tab !== "replay"}>
              <ReplayPanel text={text} retentionDays={retentionDays} isAdmin={role === "admin"} />
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
