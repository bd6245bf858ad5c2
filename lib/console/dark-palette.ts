/**
 * The console's dark theme as a palette (issue 16 §6): every Tailwind colour the console uses becomes
 * `light-dark(<Tailwind's value>, <its dark counterpart>)`, so that one stylesheet (app/theme-palette.css,
 * written by scripts/dark-palette.ts) turns every `bg-white`, `text-slate-700`, `bg-red-100 text-red-900`
 * badge, chart and graph colour dark at once, chosen by the `color-scheme` of the page (app/globals.css).
 *
 * A shade's dark counterpart mirrors the scale (50 ↔ 950, 100 ↔ 900, … 500 ↔ 500): its hue and chroma come
 * from the mirrored shade, its lightness from DARK_LIGHTNESS, the same for every hue. So pairs chosen for
 * contrast in light (dark text on a pale background) keep it in dark (pale text on a dark background);
 * lib/console/dark-palette.test.ts checks the pairs the console uses for WCAG AA in both themes.
 */

export const SHADES = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950] as const;
type Shade = (typeof SHADES)[number];

/** The hues the console's classes, charts and editor use. */
export const FAMILIES = ["slate", "indigo", "red", "amber", "emerald", "sky", "orange", "violet", "rose", "yellow", "green", "teal", "blue"] as const;

/** OKLCH lightness (0–1) of each shade in the dark theme. */
const DARK_LIGHTNESS: Record<Shade, number> = {
  50: 0.17,
  100: 0.25,
  200: 0.31,
  300: 0.39,
  400: 0.55,
  500: 0.67,
  600: 0.76,
  700: 0.83,
  800: 0.89,
  900: 0.94,
  950: 0.975,
};

/** Chroma factor of the dark shades: the mirrored deep shades are saturated; as backgrounds they are toned down. */
const DARK_CHROMA: Record<Shade, number> = { 50: 0.55, 100: 0.65, 200: 0.7, 300: 0.8, 400: 1, 500: 1, 600: 1, 700: 1, 800: 1, 900: 1, 950: 1 };

/** White (cards, inputs, the header; and the text on filled buttons) is the surface above the page's slate-50. */
const DARK_WHITE = { l: 0.21, c: 0.028, h: 265.8 };

export interface Oklch {
  l: number;
  c: number;
  h: number;
}

/** Parses `oklch(50.5% 0.213 27.518)` (Tailwind's notation). */
export function parseOklch(text: string): Oklch {
  const m = /^oklch\(([\d.]+)% ([\d.]+) ([\d.]+|none)\)$/.exec(text.trim());
  if (!m) throw new Error(`not an oklch() colour: ${text}`);
  return { l: Number(m[1]) / 100, c: Number(m[2]), h: m[3] === "none" ? 0 : Number(m[3]) };
}

export function formatOklch({ l, c, h }: Oklch): string {
  return `oklch(${(l * 100).toFixed(1)}% ${c.toFixed(3)} ${h.toFixed(2)})`;
}

/** Tailwind's light colours, `--color-<family>-<shade>` → value, read from its theme.css text. */
export function readTailwindColors(themeCss: string): Map<string, Oklch> {
  const out = new Map<string, Oklch>();
  for (const m of themeCss.matchAll(/--color-([a-z]+-\d+):\s*(oklch\([^)]*\));/g)) out.set(m[1], parseOklch(m[2]));
  return out;
}

export function darkOf(light: Map<string, Oklch>, family: string, shade: Shade): Oklch {
  const mirror = SHADES[SHADES.length - 1 - SHADES.indexOf(shade)];
  const m = light.get(`${family}-${mirror}`);
  if (!m) throw new Error(`Tailwind has no ${family}-${mirror}`);
  return { l: DARK_LIGHTNESS[shade], c: m.c * DARK_CHROMA[shade], h: m.h };
}

/** The stylesheet: one `light-dark()` per colour, on :root. */
export function paletteCss(light: Map<string, Oklch>): string {
  const lines = [
    "/* Written by `npx tsx scripts/dark-palette.ts` from lib/console/dark-palette.ts: do not edit by hand. */",
    ":root {",
    `  --color-white: light-dark(#fff, ${formatOklch(DARK_WHITE)});`,
  ];
  for (const f of FAMILIES) {
    for (const s of SHADES) {
      const l = light.get(`${f}-${s}`)!;
      lines.push(`  --color-${f}-${s}: light-dark(${formatOklch(l)}, ${formatOklch(darkOf(light, f, s))});`);
    }
  }
  lines.push("}", "");
  return lines.join("\n");
}

/** Linear sRGB channels of an OKLCH colour, clipped to the sRGB gamut (as Chromium draws it). */
function linearRgb({ l, c, h }: Oklch): [number, number, number] {
  const a = c * Math.cos((h * Math.PI) / 180);
  const b = c * Math.sin((h * Math.PI) / 180);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  return [
    clip(4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_),
    clip(-1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_),
    clip(-0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_),
  ];
}

/** WCAG 2 contrast ratio of two colours. */
export function contrast(x: Oklch, y: Oklch): number {
  const lum = (o: Oklch) => {
    const [r, g, b] = linearRgb(o);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

export const WHITE_LIGHT: Oklch = { l: 1, c: 0, h: 0 };
export const WHITE_DARK: Oklch = DARK_WHITE;
