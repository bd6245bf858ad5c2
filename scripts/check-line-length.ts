/**
 * `npm run lint`, first step: no line of source longer than 200 characters (issue 17 counted them as
 * drift). Every file git tracks, or would track (new files not yet added), is read, whatever its type:
 * TypeScript, JavaScript, SQL, the Prisma schema, CSS, Cedar, shell, JSON, YAML. Not checked, and why:
 * prose (*.md keeps its own line breaks and tables), test data whose exact bytes matter
 * (lib/redaction/corpus/, as in .prettierignore), the generated package-lock.json, and binary files.
 * Length is counted in characters (Unicode code points), not bytes. Prettier's printWidth (160) is
 * lower, but Prettier does not break strings, regular expressions or template literals: this does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 200;
const SKIP = [/\.md$/, /^lib\/redaction\/corpus\//, /(^|\/)package-lock\.json$/];

const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8", maxBuffer: 64 << 20 })
  .split("\0")
  .filter((f) => f && !SKIP.some((re) => re.test(f)));
const long: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  if (text.includes("\0")) continue; // binary
  text.split(/\r?\n/).forEach((line, i) => {
    const length = [...line].length;
    if (length > MAX) long.push(`${file}:${i + 1}: ${length} characters`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) longer than ${MAX} characters (break long strings, regular expressions and test names):`);
  for (const l of long) console.error(`  ${l}`);
  process.exit(1);
}
