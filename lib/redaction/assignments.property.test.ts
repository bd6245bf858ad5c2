import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { looksLikeSecretValue, MARKER_PREFIX, redactAssignments, secretKeyKind } from "./secret-patterns.ts";

// Credential assignments used to be matched over the whole text; they are now matched only in the
// segments (between , ; & < > ` and line breaks) that hold a credential-like key word. Reference: the
// previous whole-text loop, verbatim.
const ASSIGNMENT = /([A-Za-z0-9_.-]{1,40})(["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)([^\s"'`,;&<>]{4,512})/g;
const charClasses = (s: string) => Number(/[a-z]/.test(s)) + Number(/[A-Z]/.test(s)) + Number(/[0-9]/.test(s)) + Number(/[^A-Za-z0-9]/.test(s));
function previous(text: string): { text: string; kinds: string[] } {
  const found = new Set<string>();
  const re = new RegExp(ASSIGNMENT.source, "g");
  let out = "";
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [match, key, sep, value] = m;
    const kind = secretKeyKind(key);
    const assignment = sep.includes("=") || /["']/.test(sep);
    const secret = kind !== null && !value.includes(MARKER_PREFIX) && (assignment || charClasses(value) >= 2) && looksLikeSecretValue(value, kind);
    if (secret) {
      found.add(kind);
      out += text.slice(last, m.index) + `${key}${sep}[REDACTED:${kind}]`;
      last = m.index + match.length;
    } else re.lastIndex = m.index + key.length + sep.length;
  }
  return { text: last === 0 ? text : out + text.slice(last), kinds: [...found].sort() };
}

const piece = fc.constantFrom(
  "password",
  "api_key",
  "Token",
  "x",
  "note",
  "auth",
  "cookie",
  "session_key",
  "max_tokens",
  "_",
  ".",
  "-",
  "=",
  ":",
  " ",
  "\t",
  '"',
  "'",
  ",",
  ";",
  "&",
  "<",
  ">",
  "`",
  "\n",
  "\r",
  "/",
  "[REDACTED:jwt]",
  "7bZJysgEzaAgTmwuIMPkC4fk2HAuqHMf",
  "hunter22",
  "Tr0ub4dor&3",
  "required",
  "a1B2c3D4e5",
);
const text = fc.array(piece, { maxLength: 40 }).map((p) => p.join(""));

describe("credential assignments", () => {
  it("are redacted exactly as by the previous whole-text matching", () => {
    fc.assert(
      fc.property(text, (s) => {
        const found = new Set<string>();
        const redacted = redactAssignments(s, found as Set<never>);
        expect({ text: redacted, kinds: [...found].sort() }).toEqual(previous(s));
      }),
      { numRuns: 5000, seed: 15 },
    );
  });
});
