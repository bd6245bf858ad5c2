/**
 * Phone number detector, deliberately conservative (a bare run of 10 digits is as likely an id or a Unix
 * timestamp as a phone number, so it is never counted). Counted:
 * - international (E.164) numbers written with a leading "+": country code 1–9…, 8–15 digits in all,
 *   single spaces, dots or dashes between groups, at most one parenthesised group ("+1 (415) 555-2671",
 *   "+44 20 7946 0958", "+4915123456789");
 * - North American numbers with separators: "(415) 555-2671", "415-555-2671", "415.555.2671",
 *   "1-800-555-0199" (area code and exchange start with 2–9);
 * - UK national numbers in their usual groupings: "020 7946 0958", "0161 496 0000", "07700 900123";
 * - French national numbers: "01 23 45 67 89", "06.12.34.56.78".
 * One regex with alternatives, so a number is counted once even when several formats overlap.
 */

const PHONE = new RegExp(
  [
    "(?<![\\w+.-])(?:",
    // 1: international
    "(\\+[1-9][\\d ().-]{6,22}\\d)",
    // 2: NANP with parentheses or separators
    "|((?:1[-. ])?(?:\\([2-9]\\d{2}\\) ?|[2-9]\\d{2}([-. ]))[2-9]\\d{2}[-. ]\\d{4})",
    // 4: UK
    "|(0(?:\\d{2} \\d{4} \\d{4}|\\d{3} \\d{3} \\d{4}|\\d{4} \\d{6}|\\d{4} \\d{3} \\d{3}))",
    // 5: France
    "|(0[1-9](?:( )\\d{2}(?: \\d{2}){3}|(\\.)\\d{2}(?:\\.\\d{2}){3}))",
    ")(?![\\w-]|[.,]\\d)",
  ].join(""),
  "g",
);

/** Number of phone numbers in `text`. */
export function countPhones(text: string): number {
  if (text.length < 10) return 0;
  let count = 0;
  PHONE.lastIndex = 0;
  for (let m = PHONE.exec(text); m; m = PHONE.exec(text)) {
    if (m[1] !== undefined ? validInternational(m[1]) : m[2] !== undefined ? validNanp(m[2], m[3]) : true) count += 1;
  }
  return count;
}

function validInternational(s: string): boolean {
  let digits = 0;
  let open = 0;
  let groups = 0;
  let prevSep = false;
  let dots = 0;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits += 1;
      prevSep = false;
      continue;
    }
    if (c === 40) {
      if (open !== 0 || groups > 0) return false; // one "(" only, never nested
      open = 1;
    } else if (c === 41) {
      if (open !== 1) return false;
      open = 2;
      groups += 1;
    } else {
      // space, "." or "-": single separators only (") " and " (" are fine)
      if (prevSep) return false;
      if (c === 46) dots += 1;
      prevSep = true;
      continue;
    }
    prevSep = false;
  }
  // "+3.14159265358979": a signed decimal, not "+33.1.23.45.67.89".
  if (dots === 1) return false;
  return open !== 1 && digits >= 8 && digits <= 15;
}

function validNanp(s: string, sep: string | undefined): boolean {
  // "415-555.2671" mixes separators: not a phone number as people write them.
  if (sep === undefined) return true;
  const body = s.startsWith("1") && s.length > 12 ? s.slice(2) : s;
  return body[7] === sep;
}
