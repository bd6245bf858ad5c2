/**
 * AuthZEN request parsing and the spec's transport rules: a body that is not JSON, has the wrong
 * content type, or misses/mistypes subject, action, resource, type, id or name is a 400; unknown
 * fields are ignored. The body itself is read by the route wrapper (lib/http/route.ts: size, content
 * type, UTF-8, JSON, depth and the other body rules of lib/util/exact-json.ts, `authzenBody` below);
 * this module reads its members. Inside an `evaluations` batch an invalid item is an item-level error,
 * not a failure of the batch. Errors are answered in the spec's format: the status code and an error
 * message string (errorFormat below), not problem+json.
 */
import { z } from "zod";
import { MandateError } from "../errors.ts";
import { findInexactArguments } from "../util/exact-json.ts";

export interface AzEntity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}
export interface AzAction {
  name: string;
  properties?: Record<string, unknown>;
}
export interface AzEvaluation {
  subject: AzEntity;
  action: AzAction;
  resource: AzEntity;
  context?: Record<string, unknown>;
}
export type Semantic = "execute_all" | "deny_on_first_deny" | "permit_on_first_permit";
export const SEMANTICS: Semantic[] = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"];
export const MAX_EVALUATIONS = 1000;

type Obj = Record<string, unknown>;
export type AzObject = Obj;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The body of every AuthZEN POST: a JSON object (its members are read by the parse functions below). */
export const authzenBody = z.custom<Obj>(isObj, { error: "must be a JSON object" });

export const badRequest = (message: string) => new MandateError(400, "invalid_request", message);

/**
 * Renders a failure the way the AuthZEN HTTPS binding describes: status code + error message string.
 * A wrong media type is a bad request there (400), where the native API says 415.
 */
export function authzenErrorFormat(err: MandateError): { status: number; body: unknown } {
  return { status: err.status === 415 ? 400 : err.status, body: err.message };
}

function str(v: unknown, path: string): string {
  if (v === undefined) throw badRequest(`${path} is required`);
  if (typeof v !== "string") throw badRequest(`${path} must be a string`);
  if (!v.length) throw badRequest(`${path} must not be empty`);
  if (v.length > 1000) throw badRequest(`${path} is longer than 1000 characters`);
  return v;
}

/**
 * Properties and context reach Cedar: they are the AuthZEN "arguments" and get the argument rules of
 * lib/util/exact-json.ts (depth, __entity/__extn/__expr, keys equal once normalised).
 */
function props(v: unknown, path: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw badRequest(`${path} must be an object`);
  const bad = findInexactArguments(v, path);
  if (bad) throw badRequest(`${bad.path}: ${bad.message}`);
  return v;
}

function obj(v: unknown, path: string): Obj {
  if (v === undefined) throw badRequest(`${path} is required`);
  if (!isObj(v)) throw badRequest(`${path} must be an object`);
  return v;
}

/** subject / resource; with `needId: false` (the searched element) the id is optional and ignored. */
export function parseEntity(v: unknown, path: string, needId = true): AzEntity {
  const o = obj(v, path);
  const type = str(o.type, `${path}.type`);
  const id = needId ? str(o.id, `${path}.id`) : "";
  const properties = props(o.properties, `${path}.properties`);
  return { type, id, ...(properties ? { properties } : {}) };
}

export function parseAction(v: unknown, path = "action"): AzAction {
  const o = obj(v, path);
  const properties = props(o.properties, `${path}.properties`);
  return { name: str(o.name, `${path}.name`), ...(properties ? { properties } : {}) };
}

export function parseContext(v: unknown, path = "context"): Obj | undefined {
  return props(v, path);
}

export function parseEvaluation(body: Obj): AzEvaluation {
  const context = parseContext(body.context);
  return {
    subject: parseEntity(body.subject, "subject"),
    action: parseAction(body.action),
    resource: parseEntity(body.resource, "resource"),
    ...(context ? { context } : {}),
  };
}

export interface BatchRequest {
  semantic: Semantic;
  /** null: no `evaluations` (or an empty one): a single evaluation, answered as such. */
  items: Array<AzEvaluation | { error: string }> | null;
  single?: AzEvaluation;
}

/** A per-item entity replaces the default one, falling back to the default's type and id. */
function mergeEntity(item: unknown, def: unknown): unknown {
  if (item === undefined) return def;
  if (!isObj(item) || !isObj(def)) return item;
  return { ...item, type: item.type ?? def.type, id: item.id ?? def.id };
}

function mergeAction(item: unknown, def: unknown): unknown {
  if (item === undefined) return def;
  if (!isObj(item) || !isObj(def)) return item;
  return { ...item, name: item.name ?? def.name };
}

export function parseBatch(body: Obj): BatchRequest {
  for (const k of ["subject", "action", "resource", "context", "options"] as const) {
    if (body[k] !== undefined && !isObj(body[k])) throw badRequest(`${k} must be an object`);
  }
  const options = (body.options ?? {}) as Obj;
  const raw = options.evaluations_semantic ?? options.evaluation_semantics;
  if (raw !== undefined && !SEMANTICS.includes(raw as Semantic)) {
    throw badRequest(`options.evaluations_semantic must be one of ${SEMANTICS.join(", ")}`);
  }
  const semantic = (raw as Semantic | undefined) ?? "execute_all";
  const list = body.evaluations;
  if (list !== undefined && !Array.isArray(list)) throw badRequest("evaluations must be an array");
  if (!list || list.length === 0) return { semantic, items: null, single: parseEvaluation(body) };
  if (list.length > MAX_EVALUATIONS) throw badRequest(`at most ${MAX_EVALUATIONS} evaluations per request`);
  const items = list.map((it: unknown, i: number) => {
    if (!isObj(it)) return { error: `evaluations[${i}] must be an object` };
    try {
      return parseEvaluation({
        subject: mergeEntity(it.subject, body.subject),
        action: mergeAction(it.action, body.action),
        resource: mergeEntity(it.resource, body.resource),
        context: it.context !== undefined ? it.context : body.context,
      });
    } catch (e) {
      return { error: `evaluations[${i}]: ${(e as Error).message}` };
    }
  });
  return { semantic, items };
}

export interface Page {
  token: string | null;
  limit: number;
}
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export function parsePage(v: unknown): Page {
  if (v === undefined || v === null) return { token: null, limit: DEFAULT_PAGE };
  if (!isObj(v)) throw badRequest("page must be an object");
  const token = v.token ?? v.next_token;
  if (token !== undefined && typeof token !== "string") throw badRequest("page.token must be a string");
  const limit = v.limit;
  if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)) {
    throw badRequest("page.limit must be a non-negative integer");
  }
  return { token: token ? token : null, limit: limit === undefined || limit === 0 ? DEFAULT_PAGE : Math.min(limit, MAX_PAGE) };
}
