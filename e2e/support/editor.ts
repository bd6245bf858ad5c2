import type { Page } from "@playwright/test";

/** Replaces the policy editor's text (CodeMirror) as a user would: select all, then type/paste. */
export async function setPolicyText(page: Page, text: string): Promise<void> {
  const editor = page.getByRole("textbox", { name: "Cedar policy set" });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.fill(text);
}

/**
 * Presses a key the open completion list handles: Enter or Tab accept, ArrowDown/ArrowUp move the selection.
 * CodeMirror ignores those keys within `interactionDelay` (75 ms) of the list opening, or while the list is
 * disabled (its results are being recomputed): the key then does what it does without a list (a new line,
 * leaving the editor, moving the cursor a line and closing the list). A user typing fast sees exactly that,
 * by design, so the test waits as a user's eye would: the list is shown, enabled, and has been for longer
 * than that delay (wall-clock time here is at least the page's, however loaded it is).
 */
export async function pressInCompletion(page: Page, key: "Enter" | "Tab" | "ArrowDown" | "ArrowUp"): Promise<void> {
  const tooltip = page.locator(".cm-tooltip-autocomplete");
  await tooltip.waitFor({ state: "visible" });
  await page.locator(".cm-tooltip-autocomplete:not(.cm-tooltip-autocomplete-disabled)").waitFor({ state: "visible" });
  await page.waitForTimeout(150);
  await page.keyboard.press(key);
}
