/**
 * Secret detectors for free text. Each detector has a cheap literal pre-check (`hint`) and a regex
 * with a literal prefix and bounded, non-nested quantifiers, so scanning is linear in practice and an
 * adversarial string cannot cause catastrophic backtracking. A match is replaced in place by
 * "[REDACTED:<kind>]" (for URLs and Mandate keys only the secret part), so the surrounding text stays
 * readable. Markers contain "[" and "]", which no detector matches again: redaction is idempotent.
 */

export type SecretKind =
  | "aws_access_key"
  | "aws_secret_key"
  | "github_token"
  | "slack_token"
  | "slack_webhook"
  | "stripe_key"
  | "anthropic_key"
  | "openai_key"
  | "google_api_key"
  | "jwt"
  | "bearer_token"
  | "private_key"
  | "url_password"
  | "mandate_agent_key"
  | "mandate_personal_token"
  | "mandate_access_token"
  | "mandate_pep_key"
  | "password"
  | "generic_secret";

export const MARKER_PREFIX = "[REDACTED:";
export const marker = (kind: SecretKind): string => `${MARKER_PREFIX}${kind}]`;

interface Detector {
  kind: SecretKind;
  hint: RegExp;
  /** Cheaper pre-check shared by several detectors, tested once per text (a hint implies its gate). */
  gate?: RegExp;
  pattern: RegExp;
  /** Replacement for one match (default: the marker); return the match itself to keep it. */
  replace?: (match: string, ...groups: string[]) => string;
  /** Extra check on the whole match (default: accept). */
  accept?: (match: string) => boolean;
  /** Extra check on where the match is in the text (default: accept). */
  acceptAt?: (text: string, index: number) => boolean;
}

const NB = "(?<![A-Za-z0-9])"; // not preceded by a letter or digit
const NA = "(?![A-Za-z0-9])"; // not followed by a letter or digit
const re = (source: string, flags = "g") => new RegExp(source, flags);
const hasDigit = (s: string) => /[0-9]/.test(s);
const hasLetter = (s: string) => /[A-Za-z]/.test(s);

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSchemeChar = (c: number) => (isWordChar(c) ? c !== 95 : c === 43 || c === 46 || c === 45);

/**
 * Is "://" at `at` preceded by a URL scheme, i.e. does some start s (2–21 characters before) hold a
 * letter at a word boundary followed only by [A-Za-z0-9+.-] up to `at`? (What \b[a-z][a-z0-9+.-]{1,20}
 * with the i flag matches.)
 */
function schemeBefore(text: string, at: number): boolean {
  for (let s = at - 1; s >= 0 && at - s <= 21; s--) {
    const c = text.charCodeAt(s);
    if (!isSchemeChar(c)) return false;
    if (at - s >= 2 && isLetter(c) && (s === 0 || !isWordChar(text.charCodeAt(s - 1)))) return true;
  }
  return false;
}

// Gates and hints are literals every match contains, chosen so that the engine's scan for them is
// fast on ordinary text (a literal starting with a rare character: "k-" rather than "sk-", ".eyJ"
// rather than "eyJ", "_pat_" rather than "github_pat_"); a hint is always tested after its gate.
const SK_GATE = /k-/;
const MANDATE_GATE = /mnd_/;
const GH_GATE = /gh/;

const DETECTORS: Detector[] = [
  // Starts only where a base64url run starts, and (?=(x+))\1 is an atomic group (a segment is consumed
  // whole, never backtracked into): linear even on "eyJ-eyJ-eyJ-…".
  {
    kind: "jwt",
    hint: /\.eyJ/,
    pattern: re(`(?<![A-Za-z0-9_-])eyJ(?=([A-Za-z0-9_-]{5,4000}))\\1\\.eyJ(?=([A-Za-z0-9_-]{5,16000}))\\2\\.[A-Za-z0-9_-]{0,4000}`),
  },
  { kind: "anthropic_key", gate: SK_GATE, hint: /sk-ant-/, pattern: re(`${NB}sk-ant-[A-Za-z0-9_-]{20,300}`) },
  {
    kind: "openai_key",
    gate: SK_GATE,
    hint: /sk-/,
    pattern: re(`${NB}sk-(?!ant-)[A-Za-z0-9_-]{20,300}`),
    accept: (m) => hasDigit(m.slice(3)) && hasLetter(m.slice(3)),
  },
  { kind: "aws_access_key", hint: /AKIA|ASIA/, pattern: re(`${NB}(?:AKIA|ASIA)[A-Z0-9]{16}${NA}`) },
  {
    kind: "aws_secret_key",
    hint: /secret/i,
    pattern: /(aws_?secret_?(?:access_?)?key|secret_?access_?key)(["']?[ \t]{0,5}[:=][ \t]{0,5}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    replace: (_m, key, sep) => `${key}${sep}${marker("aws_secret_key")}`,
  },
  { kind: "github_token", gate: GH_GATE, hint: /gh[pousr]_/, pattern: re(`${NB}gh[pousr]_[A-Za-z0-9]{36,255}${NA}`) },
  { kind: "github_token", hint: /_pat_/, pattern: re(`${NB}github_pat_[A-Za-z0-9_]{22,255}${NA}`) },
  { kind: "slack_webhook", hint: /hooks\./, pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{16,200}/g },
  { kind: "slack_token", hint: /xox/, pattern: re(`${NB}xox[abposre]-[A-Za-z0-9-]{10,250}`), accept: hasDigit },
  { kind: "stripe_key", hint: /_live_|_test_|whsec_/, pattern: re(`${NB}(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}|whsec_[A-Za-z0-9+/]{24,100})${NA}`) },
  { kind: "google_api_key", hint: /AIza/, pattern: re(`${NB}AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])`) },
  {
    kind: "mandate_agent_key",
    gate: MANDATE_GATE,
    hint: /mnd_ak_/,
    pattern: re(`${NB}(mnd_ak_[a-z2-9]{8})_[A-Za-z0-9_-]{16,128}`),
    replace: (_m, keyId) => `${keyId}_${marker("mandate_agent_key")}`,
  },
  {
    kind: "mandate_personal_token",
    gate: MANDATE_GATE,
    hint: /mnd_pt_/,
    pattern: re(`${NB}(mnd_pt_[a-z2-9]{8})_[A-Za-z0-9_-]{16,128}`),
    replace: (_m, keyId) => `${keyId}_${marker("mandate_personal_token")}`,
  },
  {
    kind: "mandate_access_token",
    gate: MANDATE_GATE,
    hint: /mnd_at_/,
    pattern: re(`${NB}(mnd_at_[a-z2-9]{8})_[A-Za-z0-9_-]{16,128}`),
    replace: (_m, keyId) => `${keyId}_${marker("mandate_access_token")}`,
  },
  {
    kind: "mandate_pep_key",
    gate: MANDATE_GATE,
    hint: /mnd_pep_/,
    pattern: re(`${NB}(mnd_pep_[a-z2-9]{8})_[A-Za-z0-9_-]{16,128}`),
    replace: (_m, keyId) => `${keyId}_${marker("mandate_pep_key")}`,
  },
  {
    kind: "bearer_token",
    hint: /bearer/i,
    pattern: /\b(bearer)[ \t]{1,5}([A-Za-z0-9._~+/-]{16,4096}=*)/gi,
    replace: (_m, word) => `${word} ${marker("bearer_token")}`,
    accept: (m) => hasDigit(m) || /[A-Z].*[a-z]|[a-z].*[A-Z]/.test(m.slice(7)),
  },
  {
    // "scheme://user:password@". The match starts at "://" (a literal the regex engine finds fast) and
    // the scheme before it is checked by schemeBefore: the same matches as
    // /\b[a-z][a-z0-9+.-]{1,20}:\/\/…/i, about ten times faster on long text full of other words.
    kind: "url_password",
    hint: /:\/\//,
    pattern: /:\/\/([^\s:/?#@[\]]{0,256}):([^\s/?#@]{1,256})@/g,
    acceptAt: schemeBefore,
    replace: (m, user, password) => (password.includes(MARKER_PREFIX) ? m : `://${user}:${marker("url_password")}@`),
  },
];

/** Keys (in "key=value" text or in JSON objects) whose value is a credential. */
const SECRET_KEY_HINT = /pass|pwd|secret|token|key|auth|cred|cookie/i;
const PASSWORD_TOKENS = new Set(["password", "passwd", "pwd", "passphrase", "pass"]);
const SECRET_TOKENS = new Set([
  "secret",
  "token",
  "apikey",
  "credential",
  "credentials",
  "authorization",
  "auth",
  "cookie",
  "secretkey",
  "privatekey",
  "accesskey",
]);
const SECRET_PAIRS = new Set([
  "api_key",
  "access_key",
  "private_key",
  "secret_key",
  "signing_key",
  "encryption_key",
  "master_key",
  "session_key",
  "client_secret",
]);
const HARMLESS_TOKENS = new Set(
  (
    "max min num count limit length size type page next cursor usage url uri id ids name names hint policy reset expires expiry expiration " +
    "required strength field fields endpoint budget prompt completion input output total"
  ).split(" "),
);
const keyCache = new Map<string, "password" | "generic_secret" | null>();

/** Is this key name one whose value is a credential? ("DB_PASSWORD" → password, "apiKey" → generic_secret). */
export function secretKeyKind(key: string): "password" | "generic_secret" | null {
  if (key.length > 100 || !SECRET_KEY_HINT.test(key)) return null;
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const tokens = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let kind: "password" | "generic_secret" | null = null;
  if (!tokens.some((t) => HARMLESS_TOKENS.has(t))) {
    if (tokens.some((t) => PASSWORD_TOKENS.has(t))) kind = "password";
    else if (tokens.some((t) => SECRET_TOKENS.has(t))) kind = "generic_secret";
    else if (tokens.some((t, i) => i > 0 && SECRET_PAIRS.has(`${tokens[i - 1]}_${t}`))) kind = "generic_secret";
  }
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(key, kind);
  return kind;
}

const PLACEHOLDER =
  /^(?:null|none|undefined|true|false|\*+|x+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|(?:your|example|sample|dummy|fake|placeholder)[_-][\w-]*)$/i;

/** Does a value under a secret key look like a real credential (not a placeholder, not prose)? */
export function looksLikeSecretValue(value: string, kind: "password" | "generic_secret"): boolean {
  if (value.includes(MARKER_PREFIX)) return false;
  if (PLACEHOLDER.test(value) || /^[A-Z][A-Z_]{2,40}$/.test(value)) return false; // YOUR_API_KEY, REPLACE_ME
  if (kind === "password") return value.length >= 1;
  const token = value.replace(/^(?:basic|bearer|token|digest)\s+/i, "");
  if (token.length < 8 || /\s/.test(token)) return false;
  return charClasses(token) >= 2 && entropy(token) >= 2.5;
}

function charClasses(s: string): number {
  return Number(/[a-z]/.test(s)) + Number(/[A-Z]/.test(s)) + Number(/[0-9]/.test(s)) + Number(/[^A-Za-z0-9]/.test(s));
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

/** "password=hunter2", "api_key: 'abc…'", "\"token\": \"…\"" inside text. */
const ASSIGNMENT = /([A-Za-z0-9_.-]{1,40})(["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)([^\s"'`,;&<>]{4,512})/g;
const ASSIGNMENT_HINT = /pass|pwd|secret|token|api.?key|access.?key|private.?key|auth|cred/i;

const ASSIGNMENT_G = new RegExp(ASSIGNMENT.source, "g");
const KEY_WORDS = new RegExp(SECRET_KEY_HINT.source, "gi");
/** Characters no ASSIGNMENT match can contain: text between them is a segment matched on its own. */
const isSegmentEnd = (c: number) => c === 44 || c === 59 || c === 38 || c === 60 || c === 62 || c === 96 || c === 10 || c === 13;

/**
 * Credential assignments in `text`. An ASSIGNMENT match never spans one of , ; & < > ` \n \r, so the
 * text is cut into segments there and only segments holding a word of SECRET_KEY_HINT are matched (a
 * key without one is never a secret): the same replacements as matching the whole text, without
 * running the assignment regex over long text that has no credential keys (64 KiB of JSON: ~1 ms).
 */
export function redactAssignments(text: string, found: Set<SecretKind>): string {
  let out = "";
  let copied = 0;
  KEY_WORDS.lastIndex = 0;
  for (let m = KEY_WORDS.exec(text); m; m = KEY_WORDS.exec(text)) {
    let start = m.index;
    while (start > copied && !isSegmentEnd(text.charCodeAt(start - 1))) start -= 1;
    let end = m.index + m[0].length;
    while (end < text.length && !isSegmentEnd(text.charCodeAt(end))) end += 1;
    const segment = text.slice(start, end);
    const replaced = redactAssignmentsInSegment(segment, found);
    if (replaced !== segment) {
      out += text.slice(copied, start) + replaced;
      copied = end;
    }
    KEY_WORDS.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function redactAssignmentsInSegment(text: string, found: Set<SecretKind>): string {
  const re = ASSIGNMENT_G;
  re.lastIndex = 0;
  let out = "";
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [match, key, sep, value] = m;
    const kind = secretKeyKind(key);
    // "password: required" is prose; "password=correcthorse" or "password: 'Tr0ub4dor'" is not.
    const assignment = sep.includes("=") || /["']/.test(sep);
    const secret = kind !== null && !value.includes(MARKER_PREFIX) && (assignment || charClasses(value) >= 2) && looksLikeSecretValue(value, kind);
    if (secret) {
      found.add(kind);
      out += text.slice(last, m.index) + `${key}${sep}${marker(kind)}`;
      last = m.index + match.length;
    } else {
      // Not a credential: look again inside its value ("note: api_key=…" holds one).
      re.lastIndex = m.index + key.length + sep.length;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Replace every secret found in `text`. Returns the new text and the kinds found (empty when nothing
 * was replaced, in which case the very same string is returned).
 */
export function redactSecretsInText(text: string): { text: string; kinds: SecretKind[] } {
  if (text.length < 8) return { text, kinds: [] };
  const found = new Set<SecretKind>();
  let out = redactPrivateKeys(text, found);
  const gates = new Map<RegExp, boolean>();
  for (const d of DETECTORS) {
    if (d.gate) {
      // Tested on the original text: replacements only insert markers, which hold no gate literal.
      let open = gates.get(d.gate);
      if (open === undefined) gates.set(d.gate, (open = d.gate.test(text)));
      if (!open) continue;
    }
    if (!d.hint.test(out)) continue;
    d.pattern.lastIndex = 0;
    const source = out;
    out = out.replace(d.pattern, (match: string, ...rest: unknown[]) => {
      if (d.accept && !d.accept(match)) return match;
      if (d.acceptAt && !d.acceptAt(source, rest[rest.length - 2] as number)) return match;
      const groups = rest.slice(0, -2) as string[];
      const replaced = d.replace ? d.replace(match, ...groups) : marker(d.kind);
      if (replaced !== match) found.add(d.kind);
      return replaced;
    });
  }
  if (ASSIGNMENT_HINT.test(out)) out = redactAssignments(out, found);
  return found.size === 0 ? { text, kinds: [] } : { text: out, kinds: [...found] };
}

/** PEM private keys (RSA, EC, OPENSSH, PGP, encrypted…); an unterminated block is redacted to the end. */
function redactPrivateKeys(text: string, found: Set<SecretKind>): string {
  // "BEGIN" first: "-" is common in text and makes a search for "-----BEGIN" several times slower.
  if (!/BEGIN/.test(text)) return text;
  let from = text.indexOf("-----BEGIN");
  if (from < 0) return text;
  let out = "";
  let copied = 0;
  while (from >= 0) {
    const headerEnd = text.indexOf("-----", from + 10);
    const header = headerEnd < 0 ? "" : text.slice(from, headerEnd + 5);
    if (header.length > 80 || !header.includes("PRIVATE KEY")) {
      from = text.indexOf("-----BEGIN", from + 10);
      continue;
    }
    const endStart = text.indexOf("-----END", headerEnd + 5);
    const endLine = endStart < 0 ? -1 : text.indexOf("-----", endStart + 8);
    const end = endLine < 0 ? text.length : endLine + 5;
    out += text.slice(copied, from) + marker("private_key");
    found.add("private_key");
    copied = end;
    from = text.indexOf("-----BEGIN", end);
  }
  return out + text.slice(copied);
}
