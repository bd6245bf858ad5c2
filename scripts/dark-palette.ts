/**
 * Writes app/theme-palette.css, the console's light and dark colours (lib/console/dark-palette.ts), from
 * the installed Tailwind's theme.css. Run again after upgrading Tailwind or changing the dark palette:
 *   npx tsx scripts/dark-palette.ts
 * lib/console/dark-palette.test.ts fails while the committed file differs from what this writes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { paletteCss, readTailwindColors } from "../lib/console/dark-palette.ts";

const themeCss = readFileSync(createRequire(import.meta.url).resolve("tailwindcss/theme.css"), "utf8");
writeFileSync(new URL("../app/theme-palette.css", import.meta.url), paletteCss(readTailwindColors(themeCss)));
console.log("wrote app/theme-palette.css");
