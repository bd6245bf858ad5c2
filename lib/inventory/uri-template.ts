/**
 * Resource identity (issue 15): a resource is its server plus its URI, and a family of resources is an
 * RFC 6570 URI template. Only what can be matched exactly is supported:
 *   - `{var}` (simple expansion) matches one or more unreserved characters (A-Z a-z 0-9 - . _ ~): an
 *     expansion percent-encodes everything else, so it never matches `/`;
 *   - `{+var}` (reserved expansion) may also match reserved characters, `/` included;
 *   - any other operator (`{#…}`, `{/…}`, `{?…}`, …) or a list of variables makes the template match
 *     nothing (a family Mandate cannot match exactly is never allowed by mistake).
 * A URI is matched only if it is already in normal form: percent-decoding it or removing dot segments
 * would change it, so a URI with a `%XX` escape or a `.`/`..` segment is refused rather than normalised
 * behind the caller's back (the server might resolve it to something the template does not cover).
 */

const UNRESERVED = "A-Za-z0-9\\-._~";
const RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
const VAR_NAME = /^[A-Za-z0-9_]+$/;

/** Whether a resource identifier is a template (a URI cannot contain `{`). */
export function isUriTemplate(s: string): boolean {
  return s.includes("{");
}

/** Why a URI cannot be matched exactly, or null when it can. */
export function uriRefusal(uri: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return "it has no scheme";
  if (/%[0-9A-Fa-f]{2}/.test(uri)) return "percent-decoding would change it";
  if (/%/.test(uri)) return "it holds a malformed percent escape";
  // Dot segments in the path (and anywhere a path segment can start): removing them would change it.
  const path = uri.replace(/[?#].*$/, "");
  if (path.split("/").some((seg, i) => i > 0 && (seg === "." || seg === ".."))) return "removing dot segments would change it";
  if (/[\s<>"{}|\\^`\u0000-\u001f\u007f]/.test(uri)) return "it holds characters a URI cannot hold";
  return null;
}

const compiled = new Map<string, RegExp | null>();

function compile(template: string): RegExp | null {
  let src = "^";
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    const literalEnd = open < 0 ? template.length : open;
    const literal = template.slice(i, literalEnd);
    if (literal.includes("}")) return null;
    src += literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (open < 0) break;
    const close = template.indexOf("}", open);
    if (close < 0) return null;
    let expr = template.slice(open + 1, close);
    let chars = UNRESERVED;
    if (expr.startsWith("+")) {
      chars = UNRESERVED + RESERVED;
      expr = expr.slice(1);
    }
    if (!VAR_NAME.test(expr)) return null; // another operator, a modifier or a list: not supported
    src += `[${chars}]+`;
    i = close + 1;
  }
  return new RegExp(src + "$");
}

/** Whether `uri` (already accepted by uriRefusal) belongs to the family `template`. */
export function templateMatches(template: string, uri: string): boolean {
  let re = compiled.get(template);
  if (re === undefined) {
    re = compile(template);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(template, re);
  }
  return re !== null && re.test(uri);
}

/** Whether Mandate can match this template at all (the console and the API say so when it cannot). */
export function templateSupported(template: string): boolean {
  return compile(template) !== null;
}
