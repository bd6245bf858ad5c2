/**
 * Email address detector. Scans from each "@" outwards with char codes (no regex backtracking, no
 * allocation per character): a local part of 1–64 characters from [A-Za-z0-9._%+-] (not starting or
 * ending with "." and without ".."), a domain of at least two dot-separated labels whose last label (the
 * TLD) is 2–24 letters. Not counted: user info in URLs ("https://alice@git.example"), scp-style git
 * remotes ("git@github.com:acme/repo.git"), image names with a file extension as TLD ("logo@2x.png"),
 * package specifiers ("pkg@1.2.3"), "user@localhost".
 */

const FILE_EXTENSIONS = new Set(
  "png jpg jpeg gif svg webp ico bmp tif tiff pdf css js mjs cjs ts tsx jsx json html htm md txt yml yaml xml map lock toml zip gz tgz".split(" "),
);

const isLocalChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isLabelChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** Number of email addresses in `text`. */
export function countEmails(text: string): number {
  let count = 0;
  let at = text.indexOf("@");
  while (at >= 0) {
    const end = emailAt(text, at);
    if (end > 0) count += 1;
    at = text.indexOf("@", end > 0 ? end : at + 1);
  }
  return count;
}

/** If an email address has its "@" at `at`, the index just after it; otherwise -1. */
function emailAt(text: string, at: number): number {
  // Local part, scanning left.
  let start = at;
  while (start > 0 && at - start < 65 && isLocalChar(text.charCodeAt(start - 1))) start -= 1;
  if (start === at || at - start > 64) return -1;
  if (text.charCodeAt(start) === 46 || text.charCodeAt(at - 1) === 46) return -1;
  for (let i = start; i < at - 1; i++) if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) === 46) return -1;
  const before = start > 0 ? text.charCodeAt(start - 1) : 32;
  if (before === 64 || before === 47) return -1; // "a@b@c", "/@user"
  if (before === 58 && isUrlUserInfo(text, start - 1)) return -1;
  // Domain, scanning right: labels of [A-Za-z0-9-], 1–63 characters, separated by single dots.
  let i = at + 1;
  let labels = 0;
  let lastStart = i;
  let lastLetters = true;
  for (;;) {
    const labelStart = i;
    let letters = true;
    while (i < text.length && isLabelChar(text.charCodeAt(i))) {
      if (!isLetter(text.charCodeAt(i))) letters = false;
      i += 1;
    }
    const len = i - labelStart;
    if (len === 0 || len > 63) break;
    labels += 1;
    lastStart = labelStart;
    lastLetters = letters;
    if (text.charCodeAt(i) === 46 && isLabelChar(text.charCodeAt(i + 1))) i += 1;
    else break;
  }
  if (labels < 2) return -1;
  const domainEnd = lastStart + (i - lastStart);
  const tld = text.slice(lastStart, domainEnd);
  if (!lastLetters || tld.length < 2 || tld.length > 24 || FILE_EXTENSIONS.has(tld.toLowerCase())) return -1;
  const firstLabel = text.charCodeAt(at + 1);
  if (firstLabel === 45) return -1;
  // "git@github.com:acme/repo.git" (scp-like remote), not an address.
  if (text.charCodeAt(domainEnd) === 58 && /[A-Za-z0-9~/._-]/.test(text[domainEnd + 1] ?? "")) return -1;
  return domainEnd;
}

/** Is the ":" at `colon` the password separator of a URL's user info ("scheme://user:pw@host")? */
function isUrlUserInfo(text: string, colon: number): boolean {
  const from = Math.max(0, colon - 300);
  for (let i = colon - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 34 || c === 39) return false;
    if (c === 47 && text.charCodeAt(i - 1) === 47 && text.charCodeAt(i - 2) === 58) return true;
  }
  return false;
}
