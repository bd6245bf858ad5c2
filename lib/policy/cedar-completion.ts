/**
 * Completion for the Cedar policy editor, from the store's schema (the one policies are validated
 * against, lib/policy/publish.ts storeSchema): entity types, actions, and the attributes of
 * `principal`, `resource` and `context` (nested records too: `context.session.`, `context.args.`).
 *
 * Pure and free of zod and of the Cedar WebAssembly (type imports only), so the browser can load it
 * under the console's CSP: the server turns the schema into a CompletionModel (plain JSON) and the
 * editor asks cedarCompletions() what fits before the cursor.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";

export interface AttributeInfo {
  /** The Cedar type as written in a schema: String, Long, Boolean, Set<String>, Record, Agent, … */
  type: string;
  required: boolean;
  /** A record's attributes (absent for other types). */
  attributes?: AttributeTree;
}
export type AttributeTree = Record<string, AttributeInfo>;

export interface CompletionModel {
  entityTypes: string[];
  /** The entity type of actions: `Action`, or `NS::Action` in a namespace. */
  actionType: string;
  actions: string[];
  /** What `principal.`, `resource.` and `context.` offer: the union over the schema's actions. */
  roots: { principal: AttributeTree; resource: AttributeTree; context: AttributeTree };
}

export type CompletionKind = "property" | "type" | "enum" | "keyword" | "variable";

export interface CompletionOption {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** The text inserted, when not the label (an entity type inserts `Type::"`). */
  apply?: string;
}

export interface CompletionAnswer {
  /** Offset (in the text given) where the word being completed starts; the option replaces from there. */
  from: number;
  options: CompletionOption[];
}

type SchemaType = cedar.Type<string>;
type Namespace = cedar.NamespaceDefinition<string>;

const KEYWORDS = ["permit", "forbid", "when", "unless", "if", "then", "else", "in", "has", "like", "is", "true", "false"];
const VARIABLES = ["principal", "action", "resource", "context"] as const;

const qualify = (ns: string, name: string) => (ns && !name.includes("::") ? `${ns}::${name}` : name);

function describe(t: SchemaType, ns: string): string {
  const x = t as { type: string; element?: SchemaType; name?: string };
  if (x.type === "Set" && x.element) return `Set<${describe(x.element, ns)}>`;
  if ((x.type === "Entity" || x.type === "EntityOrCommon") && x.name) return qualify(ns, x.name);
  if (x.type === "Extension" && x.name) return x.name;
  return x.type;
}

function treeOf(t: SchemaType | undefined, ns: string, common: Record<string, SchemaType>, depth = 0): AttributeTree {
  if (!t || depth > 8) return {};
  const x = t as { type: string; name?: string; attributes?: Record<string, SchemaType & { required?: boolean }> };
  if (x.type === "EntityOrCommon" && x.name && common[x.name]) return treeOf(common[x.name], ns, common, depth + 1);
  if (x.type !== "Record" || !x.attributes) return {};
  const out: AttributeTree = {};
  for (const [name, a] of Object.entries(x.attributes)) {
    const resolved =
      (a as { type: string; name?: string }).type === "EntityOrCommon" && common[(a as { name: string }).name] ? common[(a as { name: string }).name] : a;
    const sub = treeOf(resolved, ns, common, depth + 1);
    out[name] = {
      type: describe(resolved, ns),
      required: a.required !== false,
      ...(Object.keys(sub).length || resolved.type === "Record" ? { attributes: sub } : {}),
    };
  }
  return out;
}

/** Merges b into a (attributes of several entity types or contexts): a name seen with two types shows both. */
function merge(a: AttributeTree, b: AttributeTree): AttributeTree {
  const out: AttributeTree = { ...a };
  for (const [name, info] of Object.entries(b)) {
    const had = out[name];
    if (!had) out[name] = info;
    else
      out[name] = {
        type: had.type === info.type ? had.type : `${had.type} | ${info.type}`,
        required: had.required && info.required,
        ...(had.attributes || info.attributes ? { attributes: merge(had.attributes ?? {}, info.attributes ?? {}) } : {}),
      };
  }
  return out;
}

/** The completion model of a Cedar JSON schema (every namespace). */
export function completionModel(schema: cedar.SchemaJson<string>): CompletionModel {
  const entityTypes: string[] = [];
  const actions: string[] = [];
  let actionType = "Action";
  const shapes = new Map<string, AttributeTree>();
  const roots = { principal: {} as AttributeTree, resource: {} as AttributeTree, context: {} as AttributeTree };
  const namespaces = Object.entries(schema as Record<string, Namespace>);
  for (const [ns, def] of namespaces) {
    const common = (def.commonTypes ?? {}) as Record<string, SchemaType>;
    for (const [name, et] of Object.entries(def.entityTypes ?? {})) {
      entityTypes.push(qualify(ns, name));
      shapes.set(qualify(ns, name), treeOf((et as { shape?: SchemaType }).shape, ns, common));
    }
  }
  for (const [ns, def] of namespaces) {
    const common = (def.commonTypes ?? {}) as Record<string, SchemaType>;
    if (ns && Object.keys(def.actions ?? {}).length) actionType = `${ns}::Action`;
    for (const [name, a] of Object.entries(def.actions ?? {})) {
      actions.push(name);
      const applies = (a as { appliesTo?: { principalTypes?: string[]; resourceTypes?: string[]; context?: SchemaType } }).appliesTo;
      for (const p of applies?.principalTypes ?? []) roots.principal = merge(roots.principal, shapes.get(qualify(ns, p)) ?? {});
      for (const r of applies?.resourceTypes ?? []) roots.resource = merge(roots.resource, shapes.get(qualify(ns, r)) ?? {});
      roots.context = merge(roots.context, treeOf(applies?.context, ns, common));
    }
  }
  return { entityTypes: [...new Set(entityTypes)].sort(), actionType, actions: [...new Set(actions)].sort(), roots };
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*$/;

function attributeOptions(tree: AttributeTree): CompletionOption[] {
  return Object.entries(tree)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, info]) => ({ label, kind: "property" as const, detail: info.required ? info.type : `${info.type} (optional: test with has)` }));
}

/** The attributes of `root.a.b` (a path of names), or null when the path is not a known record. */
function treeAt(model: CompletionModel, root: string, path: string[]): AttributeTree | null {
  if (!(root in model.roots)) return null;
  let tree: AttributeTree = model.roots[root as keyof CompletionModel["roots"]];
  for (const name of path) {
    const next = tree[name]?.attributes;
    if (!next) return null;
    tree = next;
  }
  return tree;
}

/** Whether the offset is inside a string literal or a line comment (completion stays out of both, except action names). */
function lexicalState(before: string): "code" | "string" | "comment" {
  let inString = false;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "/" && before[i + 1] === "/") {
      const nl = before.indexOf("\n", i);
      if (nl < 0) return "comment";
      i = nl;
    }
  }
  return inString ? "string" : "code";
}

/**
 * What fits at the end of `before` (the text up to the cursor): attributes after `principal.`,
 * `resource.`, `context.` (and deeper records) or after `<path> has `; action names inside
 * `Action::"`; entity types after `is`; otherwise, while a word is typed, entity types, the four
 * variables and the keywords. Null when nothing fits.
 */
export function cedarCompletions(model: CompletionModel, before: string, explicit = false): CompletionAnswer | null {
  const state = lexicalState(before);
  const actionPrefix = `${model.actionType}::"`;
  if (state === "string") {
    const m = /([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::"([^"\\]*)$/.exec(before);
    if (!m || `${m[1]}::"` !== actionPrefix) return null;
    const from = before.length - m[2].length;
    return { from, options: model.actions.map((a) => ({ label: a, kind: "enum" as const, detail: "action" })) };
  }
  if (state === "comment") return null;
  const word = IDENT.exec(before)?.[0] ?? "";
  const from = before.length - word.length;
  const head = before.slice(0, from);
  const dotted = /\b(principal|resource|context)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\.\s*$/.exec(head);
  if (dotted) {
    const path = dotted[2]
      .split(".")
      .map((s) => s.trim())
      .filter(Boolean);
    const tree = treeAt(model, dotted[1], path);
    return tree ? { from, options: attributeOptions(tree) } : null;
  }
  const has = /\b(principal|resource|context)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s+has\s+$/.exec(head);
  if (has) {
    const path = has[2]
      .split(".")
      .map((s) => s.trim())
      .filter(Boolean);
    const tree = treeAt(model, has[1], path);
    return tree ? { from, options: attributeOptions(tree) } : null;
  }
  const typeOption = (t: string): CompletionOption => ({ label: t, kind: "type", detail: "entity type", apply: `${t}::"` });
  if (/\bis\s+$/.test(head)) return { from, options: model.entityTypes.map((t) => ({ label: t, kind: "type", detail: "entity type" })) };
  if (/\.\s*$/.test(head) || (!word && !explicit)) return null;
  const options: CompletionOption[] = [
    ...VARIABLES.map((v) => ({ label: v, kind: "variable" as const })),
    ...model.entityTypes.map(typeOption),
    { label: model.actionType, kind: "type", detail: "action", apply: actionPrefix },
    ...KEYWORDS.map((k) => ({ label: k, kind: "keyword" as const })),
  ];
  const lower = word.toLowerCase();
  const fitting = options.filter((o) => o.label.toLowerCase().startsWith(lower) && o.label !== word);
  return fitting.length ? { from, options: fitting } : null;
}
