/**
 * The console's colour theme (issue 16 §6): "system" follows the browser's prefers-color-scheme, "light"
 * and "dark" override it. The choice is a cookie of this browser (THEME_COOKIE), read by the root layout
 * on the server, which renders `<html data-theme=…>`: the first paint has the right colours, with no
 * script (the console's CSP allows none without its nonce) and nothing for hydration to change.
 * A plain data module: the browser imports it too.
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = "mandate-theme";

/** The theme a cookie value names; anything else (absent, tampered) is "system". */
export function parseTheme(value: string | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
}

/** The Set-Cookie text of a choice: a year, every path, not sent cross-site, Secure over HTTPS. */
export function themeCookie(theme: Theme, https: boolean): string {
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${https ? "; Secure" : ""}`;
}
