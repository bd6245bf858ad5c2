/**
 * Colours of the console's charts and badges, chosen for contrast on white (WCAG AA for text at
 * these shades) and told apart by more than hue where it matters (charts also label their values).
 */
export const OUTCOME_COLORS: Record<string, string> = {
  allow: "#047857", // emerald-700
  deny: "#b91c1c", // red-700
  require_approval: "#b45309", // amber-700
  success: "#047857",
  error: "#b91c1c",
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
  low: "#0f766e", // teal-700
  medium: "#4338ca", // indigo-700
  high: "#c2410c", // orange-700
  critical: "#9f1239", // rose-800
  unclassified: "#475569", // slate-600
};

/** Approval age buckets go from calm to urgent as they near expiry. */
export const AGE_COLORS = ["#0f766e", "#4338ca", "#b45309", "#b91c1c"];
