/**
 * Mandate's suggested classification of a tool, from its name, title, description, input schema and
 * MCP annotations. Annotations are hints from the (untrusted) server: a hint that asks for *more*
 * caution is taken as is, a hint that asks for *less* caution must agree with the name or description,
 * otherwise it is overruled and the reasons say so. The result is only a suggestion: an admin approves it.
 */
import {
  BULK_WORDS,
  CODE_EXECUTION,
  LABEL_RULES,
  NAME_VERBS,
  NOT_SENSITIVE_TOKENS,
  SENSITIVE_PROPERTY_PAIRS,
  SENSITIVE_PROPERTY_TOKENS,
  STRONG_VERBS,
  descriptionVerbEffect,
  type Effect,
  type Risk,
} from "./vocabulary.ts";

export type { Effect, Risk } from "./vocabulary.ts";

export interface ToolAnnotationsInput {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

export interface ToolDefinitionInput {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: ToolAnnotationsInput;
}

export interface SuggestedClassification {
  effect: Effect;
  risk: Risk;
  labels: string[];
  sensitiveArgs: string[];
  reasons: string[];
}

const SEVERITY: Record<Effect, number> = { read: 0, write: 1, side_effect: 2, destructive: 3 };
const RISKS: Risk[] = ["low", "medium", "high", "critical"];
const BASE_RISK: Record<Effect, Risk> = { read: "low", write: "medium", side_effect: "medium", destructive: "high" };
const EFFECT_WORDS: Record<Effect, string> = {
  read: "only reads",
  write: "changes stored state",
  side_effect: "acts outside the tool's own data (sends, runs or triggers something)",
  destructive: "deletes or irreversibly destroys data",
};

/** Split an identifier into lower-case words: "printEnv" → [print, env], "read_text-file" → [read, text, file]. */
export function tokenize(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function suggestClassification(def: ToolDefinitionInput): SuggestedClassification {
  const reasons: string[] = [];
  const nameTokens = tokenize(def.name);
  const titleTokens = def.title ? tokenize(def.title) : [];
  const description = (def.description ?? "").trim();
  const text = `${nameTokens.join(" ")} ${(def.title ?? "").toLowerCase()} ${description.toLowerCase()}`;
  const properties = schemaProperties(def.inputSchema);
  const hints = def.annotations ?? {};

  // 1. Effect: what the name (or else the description) says, cross-checked with the hints.
  const stated = statedEffect(def.name, nameTokens, titleTokens, description);
  const hinted = hintedEffect(hints);
  let effect: Effect;
  let risk: Risk;
  let overwriteHint = false;
  if (stated && !hinted) {
    effect = stated.effect;
    reasons.push(`${stated.source} says it ${EFFECT_WORDS[effect]}; the server gives no read-only or destructive hint.`);
  } else if (stated && hinted) {
    if (stated.effect === hinted.effect) {
      effect = stated.effect;
      reasons.push(`${stated.source} says it ${EFFECT_WORDS[effect]}, and the annotations (${hinted.text}) agree.`);
    } else if (SEVERITY[hinted.effect] < SEVERITY[stated.effect]) {
      effect = stated.effect;
      const contradicted = hinted.effect === "read" || (effect === "destructive" && hints.destructiveHint === false);
      reasons.push(
        contradicted
          ? `The annotation ${hinted.text} is contradicted by ${lower(stated.source)}, which says it ${EFFECT_WORDS[effect]}; the hint was not trusted.`
          : `The annotations (${hinted.text}) only say it changes something; ${lower(stated.source)} says more precisely that it ${EFFECT_WORDS[effect]}.`,
      );
    } else if (stated.effect === "write" && hinted.effect === "destructive") {
      effect = "write";
      overwriteHint = true;
      reasons.push(
        `${stated.source} says it ${EFFECT_WORDS.write}; the server marks it destructiveHint=true, i.e. it can overwrite existing data, so it stays a write with raised risk.`,
      );
    } else {
      effect = hinted.effect;
      reasons.push(
        `${stated.source} suggests it ${EFFECT_WORDS[stated.effect]}, but the annotations (${hinted.text}) say it ${EFFECT_WORDS[effect]}; the more cautious reading is kept.`,
      );
    }
  } else if (hinted) {
    effect = hinted.effect;
    reasons.push(`Only the annotations (${hinted.text}) tell what it does: it ${EFFECT_WORDS[effect]} (not corroborated by the name or description).`);
  } else {
    effect = hints.openWorldHint === true ? "side_effect" : "write";
    reasons.push(`Neither the name, the description nor the annotations tell what it does; assuming it ${EFFECT_WORDS[effect]} until an admin decides.`);
  }
  risk = BASE_RISK[effect];
  reasons.push(`A tool that ${EFFECT_WORDS[effect]} starts at ${risk} risk.`);
  const raise = (to: Risk, why: string) => {
    if (RISKS.indexOf(to) > RISKS.indexOf(risk)) {
      risk = to;
      reasons.push(`Risk raised to ${to}: ${why}.`);
    }
  };
  if (overwriteHint) raise("high", "the server says it may perform destructive updates");

  // 2. Data labels.
  const labels: string[] = [];
  for (const rule of LABEL_RULES) {
    if (rule.effects && !rule.effects.includes(effect)) continue;
    const byName = [...nameTokens, ...titleTokens].find((t) => rule.nameTokens.has(t));
    const byText = byName ? undefined : rule.phrases.exec(text)?.[0];
    const propertiesCount = !rule.propertyEffects || rule.propertyEffects.includes(effect);
    const byProperty = byName || byText || !propertiesCount ? undefined : properties.find((p) => rule.properties.has(p.toLowerCase()));
    if (!byName && !byText && !byProperty) continue;
    labels.push(rule.label);
    const evidence = byName ? `the name contains "${byName}"` : byText ? `the description mentions "${byText}"` : `it takes an argument "${byProperty}"`;
    reasons.push(`Label ${rule.label}: ${evidence}, so ${rule.why}.`);
  }
  if (effect === "read" && hints.openWorldHint === true && !labels.includes("untrusted_content")) {
    labels.push("untrusted_content");
    reasons.push("Label untrusted_content: openWorldHint=true on a read means its results come from outside the organisation.");
  }

  // 3. Risk adjustments from what it touches.
  const execWord = nameTokens.find((t) => CODE_EXECUTION.has(t));
  if (execWord && effect !== "read") raise("critical", `"${execWord}" in the name means it runs arbitrary code or commands`);
  if (labels.includes("secrets")) raise(effect === "destructive" ? "critical" : "high", "it touches secrets");
  if (labels.includes("financial") && effect !== "read") raise(effect === "destructive" ? "critical" : "high", "it changes financial data or moves money");
  if (labels.includes("financial") && effect === "read") raise("medium", "it reads financial data");
  if (labels.includes("pii")) {
    const bulk = nameTokens.find((t) => BULK_WORDS.has(t)) ?? /\ball (?:customer|user|contact|employee|record)s?\b/.exec(text.toLowerCase())?.[0];
    if (bulk) raise("high", `it handles personal data in bulk ("${bulk}")`);
    else raise("medium", "it handles personal data");
  }
  if (effect === "destructive" && /\b(all|everything|recursive(?:ly)?|entire|bulk)\b/.test(text)) {
    raise("critical", "it can delete many things at once");
  }
  if (effect !== "read" && effect !== "destructive" && /\b(irreversibl[ey]|cannot be undone|permanent(?:ly)?|without (?:warning|confirmation))\b/.test(text)) {
    raise("high", "its description warns that the change cannot be undone");
  }
  if (effect === "side_effect" && hints.openWorldHint === true && labels.includes("external_comm")) {
    reasons.push("It reaches systems outside the organisation (openWorldHint=true).");
  }

  // 4. Sensitive arguments.
  const sensitiveArgs = properties.filter(isSensitiveProperty);
  if (sensitiveArgs.length > 0) {
    reasons.push(
      `Arguments ${sensitiveArgs.map((a) => `"${a}"`).join(", ")} look like credentials or sensitive identifiers; they will be stored only as hashes.`,
    );
  }
  return { effect, risk, labels, sensitiveArgs, reasons };
}

function lower(sentenceStart: string): string {
  return sentenceStart.charAt(0).toLowerCase() + sentenceStart.slice(1);
}

interface Stated {
  effect: Effect;
  source: string;
}

function statedEffect(name: string, nameTokens: string[], titleTokens: string[], description: string): Stated | undefined {
  const fromTokens = (tokens: string[]): Effect | undefined => {
    const verbs = tokens.filter((t) => NAME_VERBS[t]);
    if (verbs.length === 0) return undefined;
    let effect = NAME_VERBS[verbs[0]];
    for (const verb of verbs.slice(1)) {
      if (STRONG_VERBS.has(verb) && SEVERITY[NAME_VERBS[verb]] > SEVERITY[effect]) effect = NAME_VERBS[verb];
    }
    return effect;
  };
  const byName = fromTokens(nameTokens);
  if (byName) return { effect: byName, source: `The name "${name}"` };
  const byTitle = fromTokens(titleTokens);
  if (byTitle) return { effect: byTitle, source: "The title" };
  const lead = /^[^a-z]*([a-z]+)/i.exec(description)?.[1]?.toLowerCase();
  const byDescription = lead ? descriptionVerbEffect(lead) : undefined;
  if (byDescription) return { effect: byDescription, source: `The description ("${lead} …")` };
  return undefined;
}

function hintedEffect(hints: ToolAnnotationsInput): { effect: Effect; text: string } | undefined {
  if (hints.readOnlyHint === true) return { effect: "read", text: "readOnlyHint=true" };
  if (hints.destructiveHint === true) return { effect: "destructive", text: "destructiveHint=true" };
  if (hints.readOnlyHint === false && hints.destructiveHint === false) {
    return { effect: "write", text: "readOnlyHint=false, destructiveHint=false" };
  }
  return undefined;
}

function schemaProperties(schema: Record<string, unknown> | undefined): string[] {
  const props = schema?.properties;
  if (!props || typeof props !== "object" || Array.isArray(props)) return [];
  return Object.keys(props);
}

/** Does an argument name look like it carries a credential or a sensitive identifier? */
export function isSensitiveProperty(property: string): boolean {
  const tokens = tokenize(property);
  if (tokens.some((t) => NOT_SENSITIVE_TOKENS.has(t))) return false;
  if (tokens.some((t) => SENSITIVE_PROPERTY_TOKENS.has(t))) return true;
  const joined = `_${tokens.join("_")}_`;
  return SENSITIVE_PROPERTY_PAIRS.some((pair) => joined.includes(`_${pair}_`));
}

/**
 * The suggestion for a resource (or a family of resources) or a prompt. Reading a resource or getting a
 * prompt only reads, so the effect is `read`; labels come from the same rules as tools' (the name, the
 * URI's words, the title and the description), and content fetched from the web is `untrusted_content`.
 */
export function suggestReadClassification(
  kind: "resource" | "prompt",
  def: { name?: string; uri?: string; title?: string; description?: string },
): SuggestedClassification {
  const what = kind === "resource" ? "Reading a resource" : "Getting a prompt";
  const reasons = [`${what} only reads: effect read, low risk to start with.`];
  const identifier = [def.name ?? "", def.uri ?? ""].join(" ");
  const tokens = [...tokenize(identifier), ...(def.title ? tokenize(def.title) : [])];
  const text = `${tokens.join(" ")} ${(def.title ?? "").toLowerCase()} ${(def.description ?? "").trim().toLowerCase()}`;
  const labels: string[] = [];
  for (const rule of LABEL_RULES) {
    if (rule.effects && !rule.effects.includes("read")) continue;
    const byName = tokens.find((t) => rule.nameTokens.has(t));
    const byText = byName ? undefined : rule.phrases.exec(text)?.[0];
    if (!byName && !byText) continue;
    labels.push(rule.label);
    reasons.push(`Label ${rule.label}: ${byName ? `its name or URI contains "${byName}"` : `the description mentions "${byText}"`}, so ${rule.why}.`);
  }
  if (kind === "resource" && /^https?:/i.test(def.uri ?? "") && !labels.includes("untrusted_content")) {
    labels.push("untrusted_content");
    reasons.push("Label untrusted_content: its URI is on the web, so its content comes from outside the organisation.");
  }
  let risk: Risk = "low";
  if (labels.includes("secrets")) {
    risk = "high";
    reasons.push("Risk raised to high: it exposes secrets.");
  } else if (labels.includes("pii") || labels.includes("financial")) {
    risk = "medium";
    reasons.push(`Risk raised to medium: it holds ${labels.includes("pii") ? "personal" : "financial"} data.`);
  }
  return { effect: "read", risk, labels, sensitiveArgs: [], reasons };
}
