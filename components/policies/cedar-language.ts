/**
 * Cedar syntax highlighting for CodeMirror 6: a small stream tokenizer (keywords, annotations, entity
 * types, strings, comments, numbers, operators) and a high-contrast highlight style.
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

const KEYWORDS = new Set(["permit", "forbid", "when", "unless", "if", "then", "else", "in", "has", "like", "is"]);
const VARIABLES = new Set(["principal", "action", "resource", "context"]);
const ATOMS = new Set(["true", "false"]);

export const cedarLanguage = StreamLanguage.define<{ inString: boolean }>({
  name: "cedar",
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) {
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") stream.next();
        else if (ch === '"') {
          state.inString = false;
          break;
        }
      }
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.peek() === '"') {
      stream.next();
      state.inString = true;
      return "string";
    }
    if (stream.match(/^@[A-Za-z_][A-Za-z0-9_]*/)) return "meta";
    if (stream.match(/^[0-9]+/)) return "number";
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*(?=::")/)) return "typeName";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      const w = (word as RegExpMatchArray)[0];
      if (KEYWORDS.has(w)) return "keyword";
      if (VARIABLES.has(w)) return "variableName";
      if (ATOMS.has(w)) return "atom";
      return "propertyName";
    }
    if (stream.match(/^(::|==|!=|<=|>=|&&|\|\||[<>!+\-*])/)) return "operator";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//" } },
});

export const cedarHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.keyword, color: "var(--color-violet-700)", fontWeight: "600" },
    { tag: t.variableName, color: "var(--color-blue-700)" },
    { tag: t.string, color: "var(--color-emerald-700)" },
    { tag: t.comment, color: "var(--color-slate-600)", fontStyle: "italic" },
    { tag: t.meta, color: "var(--color-amber-700)" },
    { tag: t.typeName, color: "var(--color-rose-800)" },
    { tag: t.number, color: "var(--color-teal-700)" },
    { tag: t.atom, color: "var(--color-teal-700)" },
    { tag: t.operator, color: "var(--color-slate-700)" },
    { tag: t.propertyName, color: "var(--color-slate-900)" },
  ]),
);
