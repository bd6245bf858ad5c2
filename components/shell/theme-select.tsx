"use client";

/**
 * The header's theme switch (System / Light / Dark). The server rendered the page in the theme of the
 * cookie (app/layout.tsx); a change sets the cookie and the `data-theme` of <html>, which is all the
 * stylesheet (app/globals.css) looks at, so the page changes at once without a reload.
 */
import { useState } from "react";
import { THEMES, themeCookie, type Theme } from "@/lib/console/theme";

const LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

export function ThemeSelect({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState(initial);
  const choose = (t: Theme) => {
    setTheme(t);
    document.cookie = themeCookie(t, location.protocol === "https:");
    document.documentElement.dataset.theme = t;
  };
  return (
    <select
      aria-label="Theme"
      title="Colour theme (System follows this device's setting)"
      data-testid="theme-select"
      value={theme}
      onChange={(e) => choose(e.target.value as Theme)}
      className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs text-slate-700 hover:bg-slate-100"
    >
      {THEMES.map((t) => (
        <option key={t} value={t}>
          {LABELS[t]}
        </option>
      ))}
    </select>
  );
}
