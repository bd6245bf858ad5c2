/**
 * Word lists behind suggestClassification. Tool names are split into lower-case tokens
 * ("printEnv" → print, env; "delete-entities" → delete, entities) and matched exactly; descriptions
 * are matched with the phrase patterns below. Kept apart from the logic so they are easy to review.
 */
export type Effect = "read" | "write" | "side_effect" | "destructive";
export type Risk = "low" | "medium" | "high" | "critical";

/** Verbs (as they appear in tool names) and the effect they imply. */
export const NAME_VERBS: Record<string, Effect> = Object.fromEntries([
  ...words(
    "read",
    "get read list search find fetch query lookup describe show view open export download browse check count inspect retrieve load print echo stat " +
      "info tree head tail peek watch sum calculate compute gzip compress zip convert render format parse validate hash encode decode summarize " +
      "translate preview resolve diff",
  ),
  ...words(
    "write",
    "write create update edit set put patch add insert upsert modify rename move save append upload import register assign toggle enable disable " +
      "configure merge replace copy tag mark label attach link unlink restore archive lock unlock install commit apply rotate",
  ),
  ...words(
    "side_effect",
    "send post publish notify email mail message reply forward tweet sms call invoke trigger execute exec run deploy dispatch broadcast charge pay " +
      "transfer refund order book schedule submit launch start stop restart approve invite",
  ),
  ...words("destructive", "delete remove rm del drop destroy purge wipe erase truncate revoke terminate kill uninstall shred reset clear prune evict"),
]);

/**
 * Verbs that count wherever they appear in a name ("bulk_delete_users"); other verbs only count as
 * the first verb of the name, because they double as nouns ("get_post", "list_orders", "get_update_status").
 */
export const STRONG_VERBS = new Set(
  "delete remove drop destroy purge wipe erase truncate revoke terminate kill uninstall shred send publish execute exec deploy transfer pay refund".split(" "),
);

/** Verbs that mean running arbitrary code or commands: critical whatever the hints say. */
export const CODE_EXECUTION = new Set("exec execute eval shell bash command cmd script sql terminal subprocess spawn".split(" "));

/** Verbs for bulk or whole-store operations (raise the risk of reads of personal data). */
export const BULK_WORDS = new Set("export dump bulk all everything backup download batch".split(" "));

/** Leading verbs of a description ("Returns all …", "Deletes …") in base form. */
export function descriptionVerbEffect(word: string): Effect | undefined {
  for (const candidate of stems(word)) {
    const effect = NAME_VERBS[candidate];
    if (effect) return effect;
  }
  return undefined;
}

function stems(word: string): string[] {
  const out = [word];
  if (word.endsWith("ies")) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith("es")) out.push(word.slice(0, -2));
  if (word.endsWith("s")) out.push(word.slice(0, -1));
  if (word.endsWith("ed")) out.push(word.slice(0, -2), word.slice(0, -1));
  if (word.endsWith("ing")) out.push(word.slice(0, -3), `${word.slice(0, -3)}e`);
  return out;
}

export interface LabelRule {
  label: string;
  /** Exact tokens of the tool name or title. */
  nameTokens: Set<string>;
  /** Phrases searched in the (lower-cased) name, title and description. */
  phrases: RegExp;
  /** Exact (lower-cased) input property names. */
  properties: Set<string>;
  /** If set, the rule applies only to tools with one of these effects. */
  effects?: Effect[];
  /** If set, property-name matches count only for tools with one of these effects. */
  propertyEffects?: Effect[];
  why: string;
}

export const LABEL_RULES: LabelRule[] = [
  {
    label: "pii",
    nameTokens: set(
      "customer customers contact contacts person persons people employee employees patient patients user users profile profiles ssn phone phones passport",
    ),
    phrases: phrases(
      "customers?|contacts?|personal (?:data|information|details)|employees?|patients?|phone numbers?|telephone|email address(?:es)?",
      "postal address(?:es)?|home address(?:es)?|mailing address(?:es)?|date of birth|social security|ssn|passport|user profiles?",
    ),
    properties: set(
      "email emails phone phone_number telephone mobile ssn address home_address postal_address dob date_of_birth birth_date birthdate first_name last_name full_name passport",
    ),
    why: "it handles personal data",
  },
  {
    label: "secrets",
    nameTokens: set("secret secrets password passwords passwd credential credentials token tokens apikey env environ vault keychain keyring"),
    phrases: phrases(
      "passwords?|secrets?|credentials?|api[ _-]?keys?|private keys?|access tokens?|auth(?:entication)? tokens?|bearer tokens?",
      "environment variables?|env vars?|\\.env files?",
    ),
    properties: set(""),
    why: "it can read or expose secrets",
  },
  {
    label: "financial",
    nameTokens: set(
      "payment payments pay invoice invoices billing bank banking iban refund refunds charge charges transaction transactions ledger payroll " +
        "salary salaries stripe wire finance financial accounting tax taxes",
    ),
    phrases: phrases(
      "payments?|invoices?|billing|bank(?:ing)? (?:account|details|transfer)s?|iban|refunds?|credit cards?|card numbers?|transactions?",
      "ledger|payroll|salar(?:y|ies)|wire transfers?|financial|accounting",
    ),
    properties: set("amount iban card_number credit_card account_number routing_number currency"),
    why: "it touches financial data or moves money",
  },
  {
    label: "untrusted_content",
    nameTokens: set("fetch url urls uri web website webpage browse browser scrape crawl http https html internet rss inbox"),
    phrases: phrases(
      "web ?pages?|websites?|the web|open web|internet|urls?|http\\(s\\)|https?:|html|scrap(?:e|es|ing)|crawl(?:s|ing)?|search engines?",
      "untrusted|inbox|incoming (?:email|mail|messages?)",
    ),
    properties: set("url urls uri href"),
    propertyEffects: ["read"],
    why: "it brings in content from outside the organisation that may carry injected instructions",
  },
  {
    label: "external_comm",
    nameTokens: set("send post publish notify reply forward tweet sms webhook slack discord telegram whatsapp broadcast"),
    phrases: phrases(
      "send(?:s|ing)? (?:an? )?(?:e-?mail|message|notification|sms|text)s?|post(?:s|ing)? (?:a |an )?(?:message|comment|update)s?|to slack",
      "webhooks?|notif(?:y|ies) (?:a |the )?(?:user|team|channel|recipient)s?|recipients?",
    ),
    properties: set("recipient recipients cc bcc channel webhook_url"),
    effects: ["write", "side_effect"],
    why: "it communicates with people or systems outside the session",
  },
];

/** Property names whose values are credentials (matched on the tokenized, lower-cased name). */
export const SENSITIVE_PROPERTY_TOKENS = set(
  "password passwd pwd passphrase secret token apikey credential credentials ssn cvv cvc pin otp cookie authorization auth iban",
);
export const SENSITIVE_PROPERTY_PAIRS = ["api_key", "access_key", "private_key", "secret_key", "card_number", "credit_card", "account_number", "session_key"];
/** Tokens that make a "token"-like property name harmless (max_tokens, token_count, next_page_token…). */
export const NOT_SENSITIVE_TOKENS = set("max min num count limit length size type page next cursor budget usage estimate estimated id ids url uri name names");

function words(effect: Effect, list: string): Array<[string, Effect]> {
  return list.split(" ").map((w) => [w, effect]);
}

/** A phrase pattern: any of the alternatives (regular-expression sources, joined with |), as whole words. */
function phrases(...alternatives: string[]): RegExp {
  return new RegExp(`\\b(${alternatives.join("|")})\\b`);
}

function set(list: string): Set<string> {
  return new Set(list.split(" ").filter(Boolean));
}
