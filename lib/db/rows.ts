/**
 * Row types of hand-written SQL, derived from the models Prisma generates from prisma/schema.prisma:
 * `Row<"agents", "id" | "name">` is what `SELECT id, name FROM agents` returns through node-postgres.
 * A column renamed in the schema fails `tsc` wherever SQL reads it by its old name.
 *
 * The names follow the schema's convention, which rows.test.ts checks on schema.prisma: a column is
 * its field's name in snake_case (`passwordHash` → `password_hash`), a table its model's name in
 * snake_case, plural in English (`DirectoryEntity` → `directory_entities`, `PepKey` → `pep_keys`). Values are typed as node-postgres
 * returns them: int8 (Prisma's BigInt) as a number (lib/db/pool.ts parses it so), timestamps as Date,
 * json as Prisma's JsonValue, arrays as arrays.
 */
import type { Prisma } from "./generated/client.ts";

/** `passwordHash` → `password_hash` */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}` : S;

type Uncapitalized<S extends string> = S extends `${infer H}${infer T}` ? `${Lowercase<H>}${T}` : S;

/** `user` → `users`, `directory_entity` → `directory_entities`, `pep_key` → `pep_keys` */
type Plural<S extends string> = S extends `${infer P}y` ? (P extends `${string}${"a" | "e" | "i" | "o" | "u"}` ? `${S}s` : `${P}ies`) : `${S}s`;

/** A model's table: `User` → `users`, `DirectoryEntity` → `directory_entities`. */
export type TableName<M extends string> = Plural<SnakeCase<Uncapitalized<M>>>;

/** A value as node-postgres returns it. */
type PgValue<T> = T extends bigint ? number : T;

type Scalars<M extends Prisma.ModelName> = Prisma.TypeMap["model"][M]["payload"]["scalars"];

/** A model's columns by their SQL names. */
export type Columns<M extends Prisma.ModelName> = { [K in keyof Scalars<M> & string as SnakeCase<K>]: PgValue<Scalars<M>[K]> };

/** Every table, by its SQL name, with its columns. */
export type Tables = { [M in Prisma.ModelName as TableName<M>]: Columns<M> };

export type TableOf = keyof Tables;

/** The columns `C` of table `T`, as SQL returns them. */
export type Row<T extends TableOf, C extends keyof Tables[T] = keyof Tables[T]> = Pick<Tables[T], C>;

/** The type of one column (for a column returned under another name: `owner: Col<"users", "email">`). */
export type Col<T extends TableOf, C extends keyof Tables[T]> = Tables[T][C];

/** Makes every column nullable: the columns of a LEFT JOINed table. */
export type Nullable<R> = { [K in keyof R]: R[K] | null };

/** Makes every column non-null: columns the query's WHERE guarantees (a decision entry's decision_id). */
export type NotNull<R> = { [K in keyof R]: NonNullable<R[K]> };

type JsonColumns<R> = { [K in keyof R]: Prisma.JsonValue extends R[K] ? K : never }[keyof R];

/**
 * A row whose json columns are typed as what Mandate writes into them (`J` may name json columns
 * only): `WithJson<Row<"tools", "suggestion">, { suggestion: SuggestedClassification | null }>`.
 */
export type WithJson<R, J extends { [K in JsonColumns<R>]?: unknown }> = Omit<R, keyof J> & J;
