import type { Page } from "@playwright/test";

/** Replaces the policy editor's text (CodeMirror) as a user would: select all, then type/paste. */
export async function setPolicyText(page: Page, text: string): Promise<void> {
  const editor = page.getByRole("textbox", { name: "Cedar policy set" });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.fill(text);
}
