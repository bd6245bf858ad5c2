/**
 * An exact decision cache. At load time, the policies of a version are walked (Cedar's JSON form) to
 * find every input they can read: attribute paths of principal, resource and context, and whether an
 * entity is used whole (`principal in Team::"x"`, `resource == Tool::"y"`). A request's cache key is
 * the action plus the values at exactly those paths; two requests with the same key get the same
 * answer from Cedar, so the cached answer is returned without calling Cedar again.
 *
 * An attribute that the policies only ever compare with integer literals (`context.counters.agent.minute
 * >= 600`) is keyed on which side of each of those comparisons its value lies, not on the value: counters
 * change on every call, and a key per value would make every request a miss. Same sides of every
 * comparison that reads it → same answer, so this stays exact (decision-cache.test.ts checks it).
 *
 * Not cached: requests where a read value refers to another entity (the answer may depend on entities
 * the key does not cover), and policy sets whose reads cannot be determined.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { CedarAnswer, CedarCall } from "./evaluator.ts";
import { compare, literalComparison, pathOf, type CmpOp, type LiteralComparison, type Root } from "./comparisons.ts";

type Expr = Record<string, unknown>;

export interface PolicyReads {
  /**
   * Paths below each root; an empty path means the whole root (an entity: id, type, parents, attrs).
   * With `tests`, the path is only compared with these literals: the key holds each comparison's result.
   */
  paths: Array<{ root: Root; path: string[]; tests?: Array<{ op: CmpOp; value: number }> }>;
}

function walk(e: unknown, out: PolicyReads["paths"], cmps: LiteralComparison[]): void {
  if (!e || typeof e !== "object") return;
  if (Array.isArray(e)) {
    for (const x of e) walk(x, out, cmps);
    return;
  }
  const x = e as Expr;
  const cmp = literalComparison(x);
  if (cmp) {
    cmps.push(cmp);
    return;
  }
  const direct = pathOf(x);
  if (direct) {
    out.push(direct);
    return;
  }
  if ("has" in x) {
    const h = x.has as { left: unknown; attr: string | string[] };
    const p = pathOf(h.left);
    const attrs = Array.isArray(h.attr) ? h.attr : [h.attr];
    if (p) out.push({ root: p.root, path: [...p.path, ...attrs] });
    else walk(h.left, out, cmps);
    return;
  }
  if ("Value" in x) return;
  for (const v of Object.values(x)) walk(v, out, cmps);
}

function scopeReads(json: cedar.PolicyJson, out: PolicyReads["paths"]): void {
  if (json.principal.op !== "All") out.push({ root: "principal", path: [] });
  if (json.resource.op !== "All") out.push({ root: "resource", path: [] });
}

/** The inputs a set of policies can read, or null when they cannot be determined. */
export function analyzeReads(policyTexts: string[]): PolicyReads | null {
  const paths: PolicyReads["paths"] = [];
  const cmps: LiteralComparison[] = [];
  for (const text of policyTexts) {
    const j = cedar.policyToJson(text);
    if (j.type !== "success") return null;
    scopeReads(j.json, paths);
    for (const c of j.json.conditions) walk(c.body, paths, cmps);
  }
  // Deduplicate; a shorter path covers its extensions.
  const keys = [...new Set(paths.map((p) => JSON.stringify([p.root, ...p.path])))].map((k) => JSON.parse(k) as string[]);
  keys.sort((a, b) => a.length - b.length);
  const kept: string[][] = [];
  const covered = (k: string[]) => kept.some((s) => s.length <= k.length && s.every((v, i) => v === k[i]));
  for (const k of keys) if (!covered(k)) kept.push(k);
  const out: PolicyReads["paths"] = kept.map(([root, ...path]) => ({ root: root as Root, path }));
  // Paths only compared with literals (and not covered by a plain read): keyed on the comparisons' results.
  const tests = new Map<string, Array<{ op: CmpOp; value: number }>>();
  for (const c of cmps) {
    const k = [c.root, ...c.path];
    if (covered(k)) continue;
    const id = JSON.stringify(k);
    const list = tests.get(id) ?? [];
    if (!list.some((t) => t.op === c.op && t.value === c.value)) list.push({ op: c.op, value: c.value });
    tests.set(id, list);
  }
  for (const [id, list] of tests) {
    const [root, ...path] = JSON.parse(id) as string[];
    out.push({ root: root as Root, path, tests: list });
  }
  return { paths: out };
}

const ABSENT = "\u0000absent";

function hasEntityRef(v: unknown): boolean {
  if (!v || typeof v !== "object") return false;
  if ("__entity" in v) return true;
  return Object.values(v).some(hasEntityRef);
}

function entityOf(call: CedarCall, uid: unknown) {
  const u = uid as { type: string; id: string };
  return call.entities.find((e) => {
    const x = e.uid as { type: string; id: string };
    return x.type === u.type && x.id === u.id;
  });
}

/** The cache key of a call under `reads`, or null when the call must not be cached. */
export function cacheKey(reads: PolicyReads, call: CedarCall): string | null {
  const wholeEntity = reads.paths.some((p) => p.path.length === 0 && (p.root === "principal" || p.root === "resource"));
  // A whole entity is read (hierarchy tests): its ancestors' own parents would matter too.
  if (wholeEntity && call.entities.length > 2) return null;
  const parts: unknown[] = [(call.action as { id: string }).id];
  for (const { root, path, tests } of reads.paths) {
    let v: unknown;
    let steps = path;
    if (root === "action") v = call.action;
    else if (root === "context") v = call.context;
    else {
      const uid = root === "principal" ? call.principal : call.resource;
      const ent = entityOf(call, uid);
      if (path.length === 0) v = { uid, parents: ent?.parents ?? [], attrs: ent?.attrs ?? null, tags: ent?.tags ?? null };
      else v = ent?.attrs;
      if (path.length === 0) steps = [];
    }
    for (const step of steps) {
      if (v && typeof v === "object" && "__entity" in v) return null; // reading through another entity
      v = v && typeof v === "object" ? (v as Record<string, unknown>)[step] : undefined;
      if (v === undefined) break;
    }
    if (hasEntityRef(v)) return null;
    // A number only compared with literals: which side of each comparison it lies (NUL: no request string
    // holds one, so this never equals a value; anything but a number is keyed exactly).
    if (tests && typeof v === "number") {
      let bits = "\u0000<";
      for (const t of tests) bits += compare(v, t.op, t.value) ? "1" : "0";
      parts.push(bits);
    } else parts.push(v === undefined ? ABSENT : v);
  }
  return JSON.stringify(parts);
}

export class DecisionCache {
  private entries = new Map<string, CedarAnswer>();
  hits = 0;
  misses = 0;

  constructor(
    readonly reads: PolicyReads,
    private readonly capacity = 50_000,
  ) {}

  get(key: string): CedarAnswer | undefined {
    const a = this.entries.get(key);
    if (a) this.hits++;
    else this.misses++;
    return a;
  }

  set(key: string, answer: CedarAnswer): void {
    if (answer.type !== "success") return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, answer);
  }
}
