/**
 * National identifier detector: US Social Security numbers only, written "AAA-GG-SSSS" (with dashes: a
 * bare run of 9 digits is as likely any other id). Numbers the SSA never issues are not counted: area
 * 000, 666 or 900–999, group 00, serial 0000, and the well-known sample numbers 078-05-1120,
 * 219-09-9999 and 123-45-6789. Other countries' ids were left out on purpose: their formats either
 * collide with ordinary numbers (9–11 digit runs) or need per-country check algorithms not worth the
 * false positives at this stage (see docs/gateway.md).
 */

const SSN = /(?<![\w/.-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|[./]\d)/g;
const SAMPLES = new Set(["078-05-1120", "219-09-9999", "123-45-6789"]);

/** Number of (possibly issued) US Social Security numbers in `text`. */
export function countSsns(text: string): number {
  if (text.length < 11) return 0;
  let count = 0;
  SSN.lastIndex = 0;
  for (let m = SSN.exec(text); m; m = SSN.exec(text)) {
    const area = Number(m[1]);
    if (area === 0 || area === 666 || area >= 900) continue;
    if (m[2] === "00" || m[3] === "0000" || SAMPLES.has(m[0])) continue;
    count += 1;
  }
  return count;
}
