/**
 * Saved views: a console user's named filter sets of the dashboard, the session list and the audit
 * explorer (the page and its query string), stored server-side per user (table saved_views, migration
 * 20261211010000_saved_views). Only the owner lists, renames or deletes their views; any signed-in user
 * may open one by its id (`/views/<id>` redirects to the page with the view's query), so a link can be
 * shared. Like the display preferences, views are a user's own settings and are not audited.
 */
import { z } from "zod";
import { getPool } from "../db/pool.ts";
import { MandateError, notFound } from "../errors.ts";

/** The pages a view can be of, and their paths. */
export const VIEW_PAGES = { dashboard: "/", sessions: "/sessions", audit: "/audit" } as const;
export type ViewPage = keyof typeof VIEW_PAGES;
const PAGE_IDS = Object.keys(VIEW_PAGES) as [ViewPage, ...ViewPage[]];

/** A user's views over all pages: enough for any real use, and a bound on what one user can store. */
export const MAX_VIEWS_PER_USER = 200;
/** Parameters that name a position or an open drawer, not a filter: not kept in a view. */
const NOT_FILTERS = new Set(["after", "before", "entry", "step", "view"]);

const viewName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(80, "at most 80 characters")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "no control characters");

/** A query string ("?a=1&b=2" or "a=1&b=2") as the view stores it: without position or drawer parameters. */
const viewQuery = z
  .string()
  .max(2000, "at most 2,000 characters")
  .transform((q) => {
    const sp = new URLSearchParams(q.replace(/^\?/, ""));
    for (const k of [...sp.keys()]) if (NOT_FILTERS.has(k)) sp.delete(k);
    return sp.toString();
  })
  .refine((q) => [...new URLSearchParams(q).keys()].length <= 40, "at most 40 parameters");

export const createViewSchema = z.object({ page: z.enum(PAGE_IDS), name: viewName, query: viewQuery }).strict();
export const renameViewSchema = z.object({ name: viewName }).strict();
export const listViewsQuery = z.object({ page: z.enum(PAGE_IDS).optional() }).strict();

export interface SavedView {
  id: string;
  page: ViewPage;
  name: string;
  query: string;
  /** Where the view opens: the page with its query. */
  href: string;
  /** The link to share (any signed-in user can open it). */
  link: string;
  created_at: string;
  updated_at: string;
}

interface ViewRow {
  id: string;
  page: string;
  name: string;
  query: string;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = "id, page, name, query, created_at, updated_at";

export function viewHref(page: ViewPage, query: string): string {
  return query ? `${VIEW_PAGES[page]}?${query}` : VIEW_PAGES[page];
}

function toView(r: ViewRow): SavedView {
  const page = r.page as ViewPage;
  return {
    id: r.id,
    page,
    name: r.name,
    query: r.query,
    href: viewHref(page, r.query),
    link: `/views/${r.id}`,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

const taken = (name: string) => new MandateError(409, "conflict", `you already have a view named "${name}" on this page`);
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === "23505";

/** The user's own views, of one page or all, by name. */
export async function listViews(userId: string, page?: ViewPage): Promise<SavedView[]> {
  const r = await getPool().query<ViewRow>(
    `SELECT ${COLUMNS} FROM saved_views WHERE user_id = $1 AND ($2::text IS NULL OR page = $2) ORDER BY page, lower(name), id`,
    [userId, page ?? null],
  );
  return r.rows.map(toView);
}

/** Saves a view for the user (409: the name is in use on that page, or the user has MAX_VIEWS_PER_USER). */
export async function createView(userId: string, v: z.infer<typeof createViewSchema>): Promise<SavedView> {
  try {
    const r = await getPool().query<ViewRow>(
      `INSERT INTO saved_views (user_id, page, name, query)
       SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM saved_views WHERE user_id = $1) < $5
       RETURNING ${COLUMNS}`,
      [userId, v.page, v.name, v.query, MAX_VIEWS_PER_USER],
    );
    if (!r.rows[0]) throw new MandateError(409, "conflict", `you have ${MAX_VIEWS_PER_USER} saved views: delete one first`);
    return toView(r.rows[0]);
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(v.name);
    throw e;
  }
}

/** Renames one of the user's views (404 for another user's view: it is not theirs to change). */
export async function renameView(userId: string, id: string, name: string): Promise<SavedView> {
  if (!UUID.test(id)) throw notFound("view");
  try {
    const r = await getPool().query<ViewRow>(`UPDATE saved_views SET name = $3, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
      id,
      userId,
      name,
    ]);
    if (!r.rows[0]) throw notFound("view");
    return toView(r.rows[0]);
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(name);
    throw e;
  }
}

/** Deletes one of the user's views (404 for another user's view). */
export async function deleteView(userId: string, id: string): Promise<void> {
  if (!UUID.test(id)) throw notFound("view");
  const r = await getPool().query(`DELETE FROM saved_views WHERE id = $1 AND user_id = $2`, [id, userId]);
  if (!r.rowCount) throw notFound("view");
}

/** Any user's view by its id, for opening a shared link (null: no such view). */
export async function getView(id: string): Promise<SavedView | null> {
  if (!UUID.test(id)) return null;
  const r = await getPool().query<ViewRow>(`SELECT ${COLUMNS} FROM saved_views WHERE id = $1`, [id]);
  return r.rows[0] ? toView(r.rows[0]) : null;
}
