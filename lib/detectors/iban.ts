/**
 * IBAN detector: a two-letter country code with a known IBAN length (SWIFT's IBAN registry), two check
 * digits, then the BBAN, written compact ("DE89370400440532013000") or in groups of four separated by
 * single spaces ("DE89 3704 0044 0532 0130 00"); the ISO 13616 mod-97 check must give 1. Upper case
 * only (how IBANs are printed); a lower-case or mixed-case run is not counted.
 */

/** IBAN length per country (SWIFT IBAN registry; includes the 2 letters and 2 check digits). */
// prettier-ignore
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27,
  MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

// Candidate start: country letters + check digits, not glued to a preceding letter or digit.
const START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?=[A-Z0-9 ])/g;

const isUpperAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isUpperAlnum(c) || (c >= 97 && c <= 122);

/** Number of valid IBANs in `text`. */
export function countIbans(text: string): number {
  if (text.length < 15) return 0;
  let count = 0;
  START.lastIndex = 0;
  for (let m = START.exec(text); m; m = START.exec(text)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    const end = scan(text, m.index, length);
    if (end < 0) continue;
    count += 1;
    START.lastIndex = end;
  }
  return count;
}

/** Reads `length` IBAN characters from `start` (spaces only between groups of 4); returns the end index or -1. */
function scan(text: string, start: number, length: number): number {
  let i = start;
  let n = 0;
  let spaced: boolean | undefined;
  let remainder = 0;
  const digits: number[] = [];
  while (n < length) {
    if (n > 0 && n % 4 === 0) {
      const space = text.charCodeAt(i) === 32;
      if (spaced === undefined) spaced = space;
      else if (space !== spaced) return -1;
      if (space) i += 1;
    }
    const c = text.charCodeAt(i);
    if (!isUpperAlnum(c)) return -1;
    digits.push(c);
    n += 1;
    i += 1;
  }
  // Must end here: no further letter or digit, and not another group of a longer number.
  const next = text.charCodeAt(i);
  if (isAlnum(next)) return -1;
  // "DE89 3704 0044 0532 0130 00 12": the spaced number goes on, so it is not an IBAN of this length.
  if (spaced && next === 32 && isDigit(text.charCodeAt(i + 1))) return -1;
  // ISO 13616 check: mod 97 of BBAN + country + check digits (letters as 10..35) must be 1.
  for (const c of [...digits.slice(4), ...digits.slice(0, 4)]) {
    if (c <= 57) remainder = (remainder * 10 + (c - 48)) % 97;
    else remainder = (remainder * 100 + (c - 55)) % 97;
  }
  return remainder === 1 ? i : -1;
}
