/**
 * Which parts of the request context a policy set reads, from the Cedar JSON AST of each policy:
 * `context.args.path`, `context.session.labels`, `context has time`… recorded up to two levels deep
 * ("args.path", "session.labels", "time"). Any other use of `context` (the whole record compared or
 * passed around) makes the answer "everything". What-if replay uses this to evaluate each distinct
 * request once: two decisions that agree on every part the draft reads get the same answer.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

export interface ContextUsage {
  all: boolean;
  /** Dotted paths, at most two levels deep. */
  paths: string[];
}

type Node = Record<string, unknown>;

function contextPath(e: unknown): string[] | null {
  if (!e || typeof e !== "object") return null;
  const n = e as Node;
  if (n.Var === "context") return [];
  const dot = n["."] as { left: unknown; attr: string } | undefined;
  if (dot) {
    const p = contextPath(dot.left);
    return p ? [...p, dot.attr] : null;
  }
  return null;
}

export function contextUsage(policies: string[]): ContextUsage {
  const paths = new Set<string>();
  let all = false;
  const record = (p: string[]) => {
    if (p.length === 0) all = true;
    else paths.add(p.slice(0, 2).join("."));
  };
  const walk = (e: unknown): void => {
    if (!e || typeof e !== "object") return;
    if (Array.isArray(e)) return e.forEach(walk);
    const n = e as Node;
    if (n.Var === "context") return record([]);
    const dot = n["."] as { left: unknown; attr: string } | undefined;
    const has = n.has as { left: unknown; attr: string } | undefined;
    const access = dot ?? has;
    if (access) {
      const p = contextPath(access.left);
      if (p) return record([...p, access.attr]);
    }
    Object.values(n).forEach(walk);
  };
  for (const text of policies) {
    const j = cedar.policyToJson(text);
    if (j.type !== "success") return { all: true, paths: [] };
    walk(j.json.conditions);
  }
  return { all, paths: all ? [] : [...paths].sort() };
}

/** The values of the used parts of a context, as one string (the cache key of a replayed request). */
export function usageKey(usage: ContextUsage, context: Record<string, unknown>): string {
  if (usage.all) return JSON.stringify(context);
  return JSON.stringify(
    usage.paths.map((p) => {
      const [a, b] = p.split(".");
      const top = context[a] as Record<string, unknown> | undefined;
      return b === undefined ? top : top?.[b];
    }),
  );
}

/**
 * The context reduced to the parts a policy set reads (`approval` always kept): the same answer for
 * less to hand to Cedar. Missing parts stay missing, so `has` checks answer as before.
 */
export function pruneContext<T extends Record<string, unknown>>(usage: ContextUsage, context: T): T {
  if (usage.all) return context;
  const out: Record<string, unknown> = { approval: context.approval };
  for (const p of usage.paths) {
    const [a, b] = p.split(".");
    const top = context[a];
    if (top === undefined) continue;
    if (b === undefined || typeof top !== "object" || top === null || Array.isArray(top)) {
      out[a] = top;
      continue;
    }
    const target = (out[a] ??= {}) as Record<string, unknown>;
    const v = (top as Record<string, unknown>)[b];
    if (v !== undefined) target[b] = v;
  }
  return out as T;
}
