import type { Page } from "@playwright/test";

/**
 * Collects what a page reports as broken: uncaught exceptions (`pageerror`, e.g. React's minified
 * hydration errors #418/#423) and console messages of type "error" (failed resource loads such as a
 * 404 favicon, React warnings). Call before the first navigation; read the array at the end.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror on ${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error on ${page.url()}: ${m.text()} ${m.location().url ?? ""}`.trim());
  });
  return errors;
}

/** Waits until React has hydrated an element matching `selector` (it then carries React's fiber), plus one frame. */
export async function hydrated(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return !!el && Object.keys(el).some((k) => k.startsWith("__reactFiber"));
  }, selector);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
}
