/** The HTML report printed to PDF by a headless Chromium (MANDATE_CHROMIUM); `npm start` never needs one. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MandateError } from "../errors.ts";

export async function printPdf(chromium: string, html: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "mandate-pdf-"));
  try {
    const src = join(dir, "report.html");
    const out = join(dir, "report.pdf");
    await writeFile(src, html);
    await new Promise<void>((resolve, reject) =>
      execFile(
        chromium,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-pdf-header-footer",
          `--user-data-dir=${join(dir, "profile")}`,
          `--print-to-pdf=${out}`,
          `file://${src}`,
        ],
        { timeout: 60_000 },
        (err, _stdout, stderr) =>
          err ? reject(new MandateError(502, "pdf_failed", `Chromium could not print the report: ${String(stderr).slice(0, 300) || err.message}`)) : resolve(),
      ),
    );
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
