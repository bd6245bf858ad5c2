"use client";

/**
 * CodeMirror 6 with Cedar highlighting. Validation problems (line/column ranges) become lint
 * diagnostics: a marker in the gutter at their line and an underline with the message on hover.
 * Tab is left to the browser (focus moves on), so the editor never traps keyboard users; indent with
 * the editor's own keys (Ctrl-] / Ctrl-[).
 *
 * Completion (Ctrl-Space, or as a word or a `.` is typed) offers the schema's entity types, actions and
 * the attributes of principal, resource and context (lib/policy/cedar-completion.ts, from the model the
 * server built from the same schema it validates against): a listbox with arrow keys, Enter or Tab to
 * accept (Tab only while the list is open), Esc to close. `handleRef.goTo(line, column)` puts the cursor on a
 * problem's line, scrolls it into view and marks the line (`cm-jump-line`) until the text changes.
 */
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, type Ref, type RefObject } from "react";
import { acceptCompletion, autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { setDiagnostics, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorSelection, EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { cedarCompletions, type CompletionModel } from "@/lib/policy/cedar-completion";
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

export interface CedarEditorHandle {
  /** Cursor to line:column (1-based), scrolled into view, the line marked, the editor focused. */
  goTo(line: number, column?: number): void;
}

const jumpEffect = StateEffect.define<number | null>();
const jumpMark = Decoration.line({ class: "cm-jump-line", attributes: { "data-testid": "jump-line" } });
/** The line a problem was jumped to, marked until the text changes or another jump. */
const jumpField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) if (e.is(jumpEffect)) return e.value === null ? Decoration.none : Decoration.set([jumpMark.range(e.value)]);
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function completionSource(model: RefObject<CompletionModel | null | undefined>) {
  return (ctx: CompletionContext): CompletionResult | null => {
    if (!model.current) return null;
    // Up to 2,000 characters before the cursor: enough for the attribute path and a string or comment in progress.
    const start = Math.max(0, ctx.pos - 2000);
    const answer = cedarCompletions(model.current, ctx.state.sliceDoc(start, ctx.pos), ctx.explicit);
    if (!answer) return null;
    return {
      from: start + answer.from,
      options: answer.options.map((o) => ({ label: o.label, type: o.kind, detail: o.detail, apply: o.apply })),
      validFor: /^[\w/]*$/,
    };
  };
}

export function CedarEditor({
  value,
  onChange,
  problems,
  warnings = [],
  readOnly = false,
  label,
  completion,
  handleRef,
}: {
  value: string;
  onChange?: (v: string) => void;
  problems: PolicyProblem[];
  warnings?: PolicyProblem[];
  readOnly?: boolean;
  label: string;
  /** The schema's vocabulary for completion (none: no completion). */
  completion?: CompletionModel | null;
  handleRef?: Ref<CedarEditorHandle>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changeRef = useRef(onChange);
  // The editor's listener (set up once) calls the latest onChange: updated on commit, before any event.
  const modelRef = useRef(completion);
  useLayoutEffect(() => {
    changeRef.current = onChange;
    modelRef.current = completion;
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
          autocompletion({ override: [completionSource(modelRef)], icons: false }),
          keymap.of([
            { key: "Tab", run: acceptCompletion },
            ...defaultKeymap,
            ...historyKeymap,
            { key: "Mod-]", run: indentMore },
            { key: "Mod-[", run: indentLess },
          ]),
          cedarLanguage,
          cedarHighlight,
          lintGutter(),
          jumpField,
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changeRef.current?.(u.state.doc.toString());
          }),
          EditorView.theme({
            "&": { fontSize: "13px", border: "1px solid var(--color-slate-400)", borderRadius: "4px", background: "var(--color-white)" },
            ".cm-content": { fontFamily: "ui-monospace, monospace" },
            "&.cm-focused": { outline: "2px solid var(--color-indigo-600)" },
            ".cm-jump-line": { backgroundColor: "var(--color-amber-100)", boxShadow: "inset 3px 0 0 var(--color-amber-600)" },
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; later `value` changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useImperativeHandle(
    handleRef,
    () => ({
      goTo(line, column = 1) {
        const v = view.current;
        if (!v) return;
        const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
        const at = Math.min(l.from + Math.max(0, column - 1), l.to);
        v.dispatch({ selection: EditorSelection.cursor(at), effects: [jumpEffect.of(l.from), EditorView.scrollIntoView(at, { y: "center" })] });
        v.focus();
      },
    }),
    [],
  );

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
