/**
 * Saved views (lib/console/saved-views.ts): any signed-in user lists, creates, renames and deletes their
 * own views; another user's view is a 404 to change. Opening a view by its link is the console page
 * /views/<id>.
 */
import { createView, createViewSchema, deleteView, listViews, listViewsQuery, renameView, renameViewSchema } from "../../console/saved-views.ts";
import { defineRoute, reply } from "../route.ts";

const TAG = "Console";

export const viewRoutes = [
  defineRoute({
    method: "GET",
    path: "/api/v1/views",
    auth: "user",
    query: listViewsQuery,
    tag: TAG,
    summary: "Your saved views (named filter sets of the dashboard, sessions and audit pages), of one page with ?page=",
    handler: async ({ query, user }) => ({ views: await listViews(user!.userId, query.page) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/views",
    auth: "user",
    body: createViewSchema,
    tag: TAG,
    summary: "Save a view: {page: dashboard|sessions|audit, name, query} (the page's query string); a name in use on that page: 409",
    handler: async ({ body, user }) => reply({ status: 201, body: await createView(user!.userId, body) }),
  }),
  defineRoute({
    method: "PATCH",
    path: "/api/v1/views/:id",
    auth: "user",
    body: renameViewSchema,
    tag: TAG,
    summary: "Rename one of your saved views ({name}); another user's view: 404",
    handler: async ({ params, body, user }) => renameView(user!.userId, params.id, body.name),
  }),
  defineRoute({
    method: "DELETE",
    path: "/api/v1/views/:id",
    auth: "user",
    tag: TAG,
    summary: "Delete one of your saved views; another user's view: 404",
    handler: async ({ params, user }) => {
      await deleteView(user!.userId, params.id);
      return reply({ status: 204 });
    },
  }),
];
