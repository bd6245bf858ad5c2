/**
 * Colours of the console's charts and badges, chosen for contrast on white (WCAG AA for text at
 * these shades) and told apart by more than hue where it matters (charts also label their values).
 * They are Tailwind's colour variables, so the dark theme (app/theme-palette.css) lightens them for a
 * dark background with the rest of the console.
 */
export const OUTCOME_COLORS: Record<string, string> = {
  allow: "var(--color-emerald-700)",
  deny: "var(--color-red-700)",
  require_approval: "var(--color-amber-700)",
  success: "var(--color-emerald-700)",
  error: "var(--color-red-700)",
};

export const OUTCOME_LABELS: Record<string, string> = {
  allow: "Allowed",
  deny: "Denied",
  require_approval: "Needs approval",
  success: "Succeeded",
  error: "Failed",
};

export const RISK_ORDER = ["low", "medium", "high", "critical", "unclassified"] as const;

export const RISK_COLORS: Record<string, string> = {
  low: "var(--color-teal-700)",
  medium: "var(--color-indigo-700)",
  high: "var(--color-orange-700)",
  critical: "var(--color-rose-800)",
  unclassified: "var(--color-slate-600)",
};

/** Approval age buckets go from calm to urgent as they near expiry. */
export const AGE_COLORS = ["var(--color-teal-700)", "var(--color-indigo-700)", "var(--color-amber-700)", "var(--color-red-700)"];
