/**
 * Issue 16 §6: the dark theme and the keyboard shortcuts.
 *
 * Theme: "System" follows the emulated prefers-color-scheme; "Dark" chosen in the header is a cookie the
 * server renders into <html data-theme> (in the HTML itself, so the first paint is dark: no flash, no
 * script, no hydration change), the page's background is dark and its text keeps AA contrast; "Light"
 * wins over a dark device.
 * Shortcuts: `?` opens the list and Esc closes it, `/` focuses the search, `g s` goes to the sessions,
 * `g s` typed into a field is text, and the letter after `g` never reaches the page's own key handlers
 * (the approvals queue's `a` = approve). No page error, console error or CSP violation throughout.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

/** sRGB of a CSS colour as the browser paints it (a canvas converts lab()/oklch() for us), and its WCAG luminance. */
async function painted(page: Page, what: "background" | "text", selector: string): Promise<{ rgb: number[]; luminance: number }> {
  return page.evaluate(
    ([sel, prop]) => {
      const el = document.querySelector(sel)!;
      const css = prop === "background" ? getComputedStyle(el).backgroundColor : getComputedStyle(el).color;
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const rgb = [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      const lin = rgb.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return { rgb, luminance: 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] };
    },
    [selector, what] as const,
  );
}

async function isDark(page: Page): Promise<boolean> {
  return (await painted(page, "background", "body")).luminance < 0.05;
}

test("dark theme: system preference, a remembered choice rendered by the server, readable text", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  const errors = collectPageErrors(page);
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/sessions");
  await hydrated(page, '[data-testid="theme-select"]');
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
  expect(await isDark(page)).toBe(false);

  // System follows the device.
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => isDark(page)).toBe(true);
  await page.emulateMedia({ colorScheme: "light" });
  await expect.poll(() => isDark(page)).toBe(false);

  // Dark, chosen in the header: at once, then remembered in a cookie the server renders.
  await page.getByLabel("Theme").selectOption("dark");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect.poll(() => isDark(page)).toBe(true);
  const cookie = (await page.context().cookies()).find((k) => k.name === "mandate-theme");
  expect(cookie?.value).toBe("dark");
  const html = await (await page.request.get("/sessions")).text();
  expect(html).toMatch(/^<!DOCTYPE html><html lang="en" data-theme="dark">/);

  await page.reload();
  await hydrated(page, '[data-testid="theme-select"]');
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByLabel("Theme")).toHaveValue("dark");
  expect(await isDark(page)).toBe(true);
  // Body text and the header's links on the dark background: WCAG AA (4.5:1).
  const bg = await painted(page, "background", "body");
  for (const sel of ["h1", 'nav[aria-label="Main"] a:not([aria-current])']) {
    const fg = await painted(page, "text", sel);
    expect((fg.luminance + 0.05) / (bg.luminance + 0.05), sel).toBeGreaterThan(4.5);
  }
  // Drawers, tables and cards are dark surfaces too (bg-white is the palette's card colour).
  expect((await painted(page, "background", "header")).luminance).toBeLessThan(0.05);

  // Light wins over a dark device.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByLabel("Theme").selectOption("light");
  await expect.poll(() => isDark(page)).toBe(false);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await isDark(page)).toBe(false);
  expect(errors).toEqual([]);
});

test("keyboard shortcuts: ? lists them, / searches, g s goes to the sessions, never while typing", async ({ console: c }) => {
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.goto("/approvals");
  await hydrated(page, "#header-search-q");

  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await page.keyboard.press("?");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("Go to Sessions")).toBeVisible();
  await expect(dialog.getByText("Approve / deny (the item, or the selected items)")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // `/` focuses the search; `g s` typed there is text.
  const search = page.locator("#header-search-q");
  await page.keyboard.press("/");
  await expect(search).toBeFocused();
  await page.keyboard.type("gs");
  await expect(search).toHaveValue("gs");
  await expect(page).toHaveURL(/\/approvals$/);

  await search.blur();
  // The letter after `g` is the shortcut's alone: a page-level listener (as the approvals queue's,
  // where `a` approves and `d` denies) sees the `g` but not the letter.
  await page.evaluate(() => {
    const w = window as unknown as { seenKeys: string[] };
    w.seenKeys = [];
    window.addEventListener("keydown", (e) => w.seenKeys.push(e.key));
  });
  await page.keyboard.press("g");
  await page.keyboard.press("s");
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Sessions");
  expect(await page.evaluate(() => (window as unknown as { seenKeys: string[] }).seenKeys)).toEqual(["g"]);

  // The button in the header opens the same list.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.keyboard.press("g");
  await page.keyboard.press("u");
  await expect(page).toHaveURL(/\/audit$/);
  expect(errors).toEqual([]);
});
