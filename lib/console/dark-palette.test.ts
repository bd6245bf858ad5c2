/**
 * The dark theme's palette (dark-palette.ts): the committed app/theme-palette.css is what the generator
 * writes from the installed Tailwind, and the colour pairs the console uses for text keep WCAG AA contrast
 * (4.5:1) in the dark theme wherever they have it in the light one.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { contrast, darkOf, FAMILIES, paletteCss, readTailwindColors, WHITE_DARK, WHITE_LIGHT, type Oklch } from "./dark-palette.ts";

const light = readTailwindColors(readFileSync(createRequire(import.meta.url).resolve("tailwindcss/theme.css"), "utf8"));
const inLight = (n: string): Oklch => (n === "white" ? WHITE_LIGHT : light.get(n)!);
const inDark = (n: string): Oklch => {
  if (n === "white") return WHITE_DARK;
  const [family, shade] = n.split("-");
  return darkOf(light, family, Number(shade) as 50);
};

/** Text on background, as the console's classes pair them (text-*-700 on white, badges, filled buttons). */
function pairs(): [string, string][] {
  const out: [string, string][] = [];
  for (const t of [600, 700, 800, 900]) for (const bg of ["white", "slate-50", "slate-100"]) out.push([`slate-${t}`, bg]);
  out.push(["slate-500", "white"]);
  for (const f of FAMILIES.filter((x) => x !== "slate")) {
    for (const t of [700, 800, 900]) out.push([`${f}-${t}`, "white"], [`${f}-${t}`, "slate-50"]);
    for (const [t, bg] of [
      [900, 100],
      [800, 50],
      [900, 50],
      [800, 100],
      [900, 200],
    ])
      out.push([`${f}-${t}`, `${f}-${bg}`]);
    for (const b of [600, 700, 800]) out.push(["white", `${f}-${b}`]);
  }
  return out;
}

describe("dark palette", () => {
  it("app/theme-palette.css is the generator's output (npx tsx scripts/dark-palette.ts)", () => {
    expect(readFileSync(new URL("../../app/theme-palette.css", import.meta.url), "utf8")).toBe(paletteCss(light));
  });

  it("every text/background pair that meets WCAG AA in light meets it in dark", () => {
    const failing: string[] = [];
    let checked = 0;
    for (const [text, bg] of pairs()) {
      if (contrast(inLight(text), inLight(bg)) < 4.5) continue;
      checked++;
      const dark = contrast(inDark(text), inDark(bg));
      if (dark < 4.5) failing.push(`text-${text} on bg-${bg}: ${dark.toFixed(2)}:1`);
    }
    expect(failing).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });

  it("surfaces are dark and body text light in the dark theme", () => {
    expect(contrast(inDark("slate-900"), inDark("slate-50"))).toBeGreaterThan(12);
    expect(contrast(inDark("white"), { l: 0, c: 0, h: 0 })).toBeLessThan(1.5);
    // The contrast function itself: black on white is 21:1, a colour on itself 1:1.
    expect(contrast(WHITE_LIGHT, { l: 0, c: 0, h: 0 })).toBeCloseTo(21, 1);
    expect(contrast(inLight("red-700"), inLight("red-700"))).toBe(1);
  });
});
