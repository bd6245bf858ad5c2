/**
 * Comparisons of an attribute with an integer literal (`context.counters.agent.minute >= 600`,
 * `10 < resource.riskLevel`) in Cedar's JSON form, normalised with the attribute on the left. The
 * decision cache keys such an attribute on which side of each comparison it lies (decision-cache.ts);
 * retry_after is computed from the ones on counters (lib/counters/counter-policies.ts).
 */
export type Root = "principal" | "resource" | "context" | "action";
export type CmpOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface AttrPath {
  root: Root;
  path: string[];
}

export interface LiteralComparison extends AttrPath {
  op: CmpOp;
  value: number;
}

const OPS = new Set<string>(["<", "<=", ">", ">=", "==", "!="]);
const FLIP: Record<CmpOp, CmpOp> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" };

export function pathOf(e: unknown): AttrPath | null {
  if (!e || typeof e !== "object") return null;
  const x = e as Record<string, unknown>;
  if ("Var" in x) return { root: x.Var as Root, path: [] };
  if ("." in x) {
    const d = x["."] as { left: unknown; attr: string };
    const p = pathOf(d.left);
    return p ? { root: p.root, path: [...p.path, d.attr] } : null;
  }
  return null;
}

const intLiteral = (e: unknown): number | null => {
  if (!e || typeof e !== "object" || !("Value" in e)) return null;
  const v = e.Value;
  return typeof v === "number" && Number.isInteger(v) ? v : null;
};

/** The comparison this node is, when it compares an attribute path with an integer literal. */
export function literalComparison(e: unknown): LiteralComparison | null {
  if (!e || typeof e !== "object" || Array.isArray(e)) return null;
  const keys = Object.keys(e);
  if (keys.length !== 1 || !OPS.has(keys[0])) return null;
  const op = keys[0] as CmpOp;
  const { left, right } = (e as Record<string, { left: unknown; right: unknown }>)[op];
  const lp = pathOf(left);
  const rv = intLiteral(right);
  if (lp && lp.path.length > 0 && rv !== null) return { ...lp, op, value: rv };
  const rp = pathOf(right);
  const lv = intLiteral(left);
  if (rp && rp.path.length > 0 && lv !== null) return { ...rp, op: FLIP[op], value: lv };
  return null;
}

export function compare(v: unknown, op: CmpOp, value: number): boolean {
  if (typeof v !== "number") return false;
  switch (op) {
    case "<":
      return v < value;
    case "<=":
      return v <= value;
    case ">":
      return v > value;
    case ">=":
      return v >= value;
    case "==":
      return v === value;
    case "!=":
      return v !== value;
  }
}

/**
 * The smallest value from which the comparison's "high" side starts (x >= T, x > T, and the negations
 * x < T, x <= T), or null for == and !=: a counter that falls below it has crossed the comparison.
 */
export function highSideStart(c: Pick<LiteralComparison, "op" | "value">): number | null {
  if (c.op === ">=" || c.op === "<") return c.value;
  if (c.op === ">" || c.op === "<=") return c.value + 1;
  return null;
}
