/**
 * How an audit entry kind is defined: its columns and its `data` as zod schemas (the shape this
 * version writes), the format version, and the builder that every writer of the kind uses. The log is
 * append-only and never migrated, so a definition only ever gains fields (docs/audit-format.md,
 * "Versioning"); `since` says from which format version a field is in every entry.
 *
 * Builders do not parse (they sit on the decision path): their input types are the schemas' types, and
 * test/integration/audit-format.test.ts parses what a real node wrote.
 */
import { z } from "zod";
import type { AuditEntryInput, AuditKind } from "../hash.ts";

/**
 * The format version written as `data.v` on every new entry. An entry without `v` was written before
 * the format was versioned: version 0, read with the version-1 schema except the fields whose `since`
 * is 1, which it may lack.
 */
export const FORMAT_VERSION = 1;

// ------------------------------------------------------------------------------------------------
// Values that several kinds share.
// ------------------------------------------------------------------------------------------------
export const uuid = z.guid();
export const isoTime = z.iso.datetime();
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const count = z.number().int().min(0);
/** A machine-readable reason: a policy id (its @id) or a built-in check such as mandate.tool_unknown. */
export const reason = z.strictObject({ policy: z.string(), message: z.string() });
/** A value replaced in stored arguments or free text (lib/redaction), as a JSON Pointer. */
export const redaction = z.strictObject({ path: z.string(), kind: z.enum(["secret", "sensitive"]), pattern: z.string().optional() });
export const role = z.enum(["admin", "analyst", "viewer"]);
export const decisionOutcome = z.enum(["allow", "deny", "require_approval"]);

// ------------------------------------------------------------------------------------------------
// Columns.
// ------------------------------------------------------------------------------------------------
const COLUMN_DEFAULTS = {
  actor: z.string().min(1),
  session_id: z.null(),
  step: z.null(),
  agent_id: z.null(),
  tool: z.null(),
  outcome: z.null(),
  decision_id: z.null(),
};
export type ColumnName = keyof typeof COLUMN_DEFAULTS;
type ColumnValues = Partial<Record<Exclude<ColumnName, "actor">, string | number | null>>;

/** `data` of one shape, or of several (a union of strict objects). */
export type DataSchema = z.ZodObject | z.ZodUnion<readonly z.ZodObject[]>;

declare const built: unique symbol;
/**
 * An entry as its builder made it, for adminAction() (which adds created_at; the chain adds chain_id,
 * seq and the hashes). Only a builder makes one: an object literal does not type-check as an EntryDraft.
 */
export type EntryDraft = Omit<AuditEntryInput, "created_at"> & { readonly [built]: true };

export interface EntryDef<A extends string = string, D extends DataSchema = DataSchema> {
  kind: AuditKind;
  actions: readonly A[];
  /** `data` as this version writes it, without `v`. */
  data: D;
  /** Every column but kind, action, created_at and data. */
  columns: z.ZodObject;
  /** Top-level data fields and the format version from which every entry has them. */
  since: Readonly<Record<string, number>>;
}

/** An entry made by its builder, written at `created_at` (what adminAction() and the bulk writer commit). */
export function entryAt(draft: EntryDraft, created_at: string): AuditEntryInput {
  return {
    kind: draft.kind,
    action: draft.action,
    actor: draft.actor,
    agent_id: draft.agent_id ?? null,
    session_id: draft.session_id ?? null,
    step: draft.step ?? null,
    tool: draft.tool ?? null,
    decision_id: draft.decision_id ?? null,
    outcome: draft.outcome ?? null,
    created_at,
    data: draft.data,
  };
}

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;
/** `action` may be left out when the definition has one action. */
type ActionField<A extends string> = true extends IsUnion<A> ? { action: A } : { action?: A };
export type EntryInput<A extends string, D extends DataSchema> = ColumnValues & ActionField<A> & { actor: string; data: z.input<D> };

export interface DefinedEntry<A extends string, D extends DataSchema> extends EntryDef<A, D> {
  /** The builder: the entry of `action`, its `data` with `v`. */
  entry(input: EntryInput<A, D>): EntryDraft;
}

export function defineEntry<const A extends string, D extends DataSchema>(def: {
  kind: AuditKind;
  actions: readonly A[];
  data: D;
  columns?: Partial<Record<ColumnName, z.ZodType>>;
  since?: Record<string, number>;
}): DefinedEntry<A, D> {
  const columns = z.strictObject({ ...COLUMN_DEFAULTS, ...def.columns });
  return {
    kind: def.kind,
    actions: def.actions,
    data: def.data,
    columns,
    since: def.since ?? {},
    entry(input) {
      const { action, data, ...cols } = input as ColumnValues & { actor: string; action?: A; data: object };
      return {
        ...(cols as ColumnValues & { actor: string }),
        kind: def.kind,
        action: action ?? def.actions[0],
        data: { ...data, v: FORMAT_VERSION },
      } as unknown as EntryDraft;
    },
  };
}

/** The schema of `data` for entries of format version `v` (0: written before `v` existed). */
export function dataSchemaFor(def: EntryDef, v: number): z.ZodType {
  const adapt = (o: z.ZodObject) => {
    const late = Object.keys(def.since).filter((k) => def.since[k] > v && k in o.shape);
    const shape = { ...o.shape, ...Object.fromEntries(late.map((k) => [k, (o.shape[k] as z.ZodType).optional()])) };
    return z.strictObject(v >= 1 ? { ...shape, v: z.literal(v) } : shape);
  };
  return def.data instanceof z.ZodObject ? adapt(def.data) : z.union(def.data.options.map(adapt));
}
