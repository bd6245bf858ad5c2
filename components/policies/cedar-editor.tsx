"use client";

/**
 * CodeMirror 6 with Cedar highlighting. Validation problems (line/column ranges) become lint
 * diagnostics: a marker in the gutter at their line and an underline with the message on hover.
 * Tab is left to the browser (focus moves on), so the editor never traps keyboard users; indent with
 * the editor's own keys (Ctrl-] / Ctrl-[).
 */
import { useEffect, useLayoutEffect, useRef } from "react";
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { setDiagnostics, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import type { PolicyProblem } from "@/lib/policy/policy-set";
import { cedarHighlight, cedarLanguage } from "./cedar-language";

function toDiagnostics(state: EditorState, problems: PolicyProblem[], severity: "error" | "warning"): Diagnostic[] {
  const doc = state.doc;
  const pos = (line: number, col: number) => {
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(l.from + Math.max(0, col - 1), l.to);
  };
  return problems.map((p) => {
    const from = pos(p.line, p.column);
    let to = pos(p.endLine, p.endColumn);
    if (to <= from) to = Math.min(doc.line(Math.min(Math.max(1, p.line), doc.lines)).to, from + 1);
    return { from, to: Math.max(to, from), severity, message: p.message, source: p.policyId };
  });
}

export function CedarEditor({
  value,
  onChange,
  problems,
  warnings = [],
  readOnly = false,
  label,
}: {
  value: string;
  onChange?: (v: string) => void;
  problems: PolicyProblem[];
  warnings?: PolicyProblem[];
  readOnly?: boolean;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changeRef = useRef(onChange);
  // The editor's listener (set up once) calls the latest onChange: updated on commit, before any event.
  useLayoutEffect(() => {
    changeRef.current = onChange;
  });

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap, { key: "Mod-]", run: indentMore }, { key: "Mod-[", run: indentLess }]),
          cedarLanguage,
          cedarHighlight,
          lintGutter(),
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changeRef.current?.(u.state.doc.toString());
          }),
          EditorView.theme({
            "&": { fontSize: "13px", border: "1px solid var(--color-slate-400)", borderRadius: "4px", background: "var(--color-white)" },
            ".cm-content": { fontFamily: "ui-monospace, monospace" },
            "&.cm-focused": { outline: "2px solid var(--color-indigo-600)" },
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; later `value` changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, [...toDiagnostics(v.state, problems, "error"), ...toDiagnostics(v.state, warnings, "warning")]));
  }, [problems, warnings]);

  return <div ref={host} className="min-h-[24rem]" data-testid="cedar-editor" />;
}
