/**
 * The expected answer of every data-plane route, console page and console route handler for every
 * principal: anonymous, an agent key, and users of each role (personal API token or console
 * session). test/integration/route-roles.test.ts checks each cell against a running node, and fails
 * when a route or page exists that this table does not list (or when the build has a server action: the
 * console changes things only through the routes below) — adding one means deciding here
 * who may use it. (AuthZEN's PDP endpoints take only PEP keys, `auth: "pep"`: every principal here is 401.)
 *
 *   "ok"    2xx                      "pass"  authenticated and authorized: neither 401/403 nor a login
 *   401     unauthenticated               redirect (the sample input may be refused as invalid: 400/404/422)
 *   403     forbidden                "login" redirect to /login            500  (Next.js's global-error page itself)
 */
export type Principal = "anon" | "agent" | "admin" | "analyst" | "viewer";
export type Expect = "ok" | "pass" | 401 | 403 | 500 | "login";
export type Row = Record<Principal, Expect>;
type Role = "admin" | "analyst" | "viewer";
const ROLES: Role[] = ["admin", "analyst", "viewer"];

const users = (allowed: Role[], good: Expect = "pass"): Row =>
  ({ anon: 401, agent: 403, ...Object.fromEntries(ROLES.map((r) => [r, allowed.includes(r) ? good : 403])) }) as Row;
const agents = (good: Expect = "pass"): Row => ({ anon: 401, agent: good, admin: 403, analyst: 403, viewer: 403 });
const anyone = (good: Expect = "pass"): Row => ({ anon: 401, agent: good, admin: good, analyst: good, viewer: good });
const open = (good: Expect = "ok"): Row => ({ anon: good, agent: good, admin: good, analyst: good, viewer: good });
const ALL: Role[] = ["admin", "analyst", "viewer"];
/** AuthZEN PDP endpoints: only a PEP key of the store is accepted (agent keys and user tokens are not). */
const pepOnly: Row = { anon: 401, agent: 401, admin: 401, analyst: 401, viewer: 401 };

/** Data-plane routes (lib/http/routes), keyed "METHOD path". */
export const API: Record<string, Row> = {
  "POST /api/v1/decisions": agents("ok"),
  "POST /api/v1/tools/visible": agents("ok"),
  "POST /api/v1/events": agents(),
  "POST /api/v1/observations": agents(),
  "POST /api/v1/inventory": agents("ok"),
  "GET /api/v1/agents/me": agents("ok"),
  "POST /api/v1/agents/:agent/suspend": users(["admin", "analyst"]),
  "POST /api/v1/agents/:agent/unsuspend": users(["admin"]),
  "POST /api/v1/tools/:server/:name/block": users(["admin", "analyst"]),
  "POST /api/v1/tools/:server/:name/unblock": users(["admin"]),
  "POST /api/v1/sessions/:id/terminate": users(["admin", "analyst"]),
  "POST /api/v1/tools/:server/:name/approve": users(["admin"]),
  "PUT /api/v1/tools/:server/:name/detectors": users(["admin"]),
  "PUT /api/v1/servers/:server/detectors": users(["admin"]),
  "GET /api/v1/posture/report": users(["admin", "analyst"], "ok"),
  "GET /api/v1/sinks": users(["admin", "analyst"], "ok"),
  "POST /api/v1/sinks": users(["admin"]),
  "DELETE /api/v1/sinks/:name": users(["admin"]),
  "GET /api/v1/sinks/:name/dead-letters": users(["admin", "analyst"]),
  "POST /api/v1/sinks/:name/dead-letters/retry": users(["admin"]),
  "POST /api/v1/sinks/:name/test": users(["admin"]),
  "GET /.well-known/mandate-checkpoint-keys.json": open(),
  "POST /api/v1/tools/:server/:name/reject": users(["admin"]),
  "POST /api/v1/agents": users(["admin"]),
  "POST /api/v1/agents/:agent/keys": users(["admin"]),
  "GET /api/v1/agents/:agent/trust": users(["admin"]),
  "POST /api/v1/agents/:agent/trust": users(["admin"]),
  "DELETE /api/v1/agents/:agent/trust/:id": users(["admin"]),
  "POST /api/v1/agents/:agent/federated-only": users(["admin"]),
  "POST /api/v1/keys/:keyId/revoke": users(["admin"]),
  "POST /api/v1/keys/:keyId/rotate": users(["admin"]),
  // Also signed by GitHub (no principal): test/integration/key-hygiene.test.ts.
  "POST /api/v1/keys/report-leak": users(["admin"]),
  "POST /api/v1/agents/:agent/owner": users(["admin"]),
  "POST /api/v1/policies/:store/validate": users(ALL, "ok"),
  "POST /api/v1/policies/:store/publish": users(["admin"]),
  "POST /api/v1/policies/:store/drafts": users(["admin"]),
  "POST /api/v1/policies/:store/rollback": users(["admin"]),
  "POST /api/v1/policies/:store/shadow/end": users(["admin"]),
  "POST /api/v1/policies/:store/shadow/promote": users(["admin"]),
  "POST /api/v1/policies/mcp/tests": users(["admin", "analyst"]),
  "POST /api/v1/policies/mcp/publish-check": users(["admin", "analyst"]),
  "POST /api/v1/policies/mcp/replay": users(["admin", "analyst"]),
  "POST /api/v1/policies/mcp/replay/export": users(["admin", "analyst"]),
  "POST /api/v1/policies/mcp/replay-retention": users(["admin"]),
  "POST /api/v1/users": users(["admin"]),
  "POST /api/v1/users/:id/role": users(["admin"]),
  "POST /api/v1/users/:id/disable": users(["admin"]),
  "POST /api/v1/users/:id/enable": users(["admin"]),
  "POST /api/v1/account/tokens": users(ALL),
  "POST /api/v1/account/preferences": users(ALL),
  "POST /api/v1/account/tokens/:keyId/revoke": users(ALL),
  // Saved views: each user's own (another user's view is a 404 to change).
  "GET /api/v1/views": users(ALL, "ok"),
  "POST /api/v1/views": users(ALL),
  "PATCH /api/v1/views/:id": users(ALL),
  "DELETE /api/v1/views/:id": users(ALL),
  "POST /api/v1/token": open("pass"),
  "POST /api/v1/token/revoke": anyone(),
  "GET /.well-known/jwks.json": open(),
  "GET /.well-known/oauth-authorization-server": open(),
  "GET /api/v1/delegations": users(ALL, "ok"),
  "GET /api/v1/delegations/:id": users(ALL),
  "POST /api/v1/delegations/:id/revoke": users(["admin", "analyst"]),
  "POST /api/v1/sessions/:id/delegations": users(["admin", "analyst"]),
  "POST /api/v1/signing-keys/rotate": users(["admin"]),
  "GET /api/v1/approvals": users(ALL, "ok"),
  "GET /api/v1/approvals/:id": anyone(),
  "POST /api/v1/approvals/:id/decision": users(["admin", "analyst"]),
  "GET /.well-known/authzen-configuration": open(),
  "GET /.well-known/authzen-configuration/stores/:store": open("pass"),
  "POST /access/v1/evaluation": pepOnly,
  "POST /access/v1/evaluations": pepOnly,
  "POST /access/v1/search/subject": pepOnly,
  "POST /access/v1/search/resource": pepOnly,
  "POST /access/v1/search/action": pepOnly,
  "POST /stores/:store/access/v1/evaluation": pepOnly,
  "POST /stores/:store/access/v1/evaluations": pepOnly,
  "POST /stores/:store/access/v1/search/subject": pepOnly,
  "POST /stores/:store/access/v1/search/resource": pepOnly,
  "POST /stores/:store/access/v1/search/action": pepOnly,
  "GET /api/v1/stores/:store/pep-keys": users(["admin", "analyst"]),
  "POST /api/v1/stores/:store/pep-keys": users(["admin"]),
  "POST /api/v1/pep-keys/:keyId/revoke": users(["admin"]),
  "POST /api/v1/pep-keys/:keyId/rotate": users(["admin"]),
  "GET /api/v1/stores": users(ALL, "ok"),
  "PUT /api/v1/stores/:store": users(["admin"]),
  "GET /api/v1/stores/:store/directory": users(ALL),
  "POST /api/v1/stores/:store/directory/import": users(["admin"]),
  "GET /api/v1/stores/:store/directory/:type/:id": users(ALL),
  "PUT /api/v1/stores/:store/directory/:type/:id": users(["admin"]),
  "DELETE /api/v1/stores/:store/directory/:type/:id": users(["admin"]),
  "GET /api/v1/health": open(),
  "GET /api/v1/ready": open(),
  "GET /api/openapi.json": open(),
  "POST /api/v1/audit/verify": users(["admin", "analyst"], "ok"),
  "POST /api/v1/audit/checkpoints": users(["admin"], "ok"),
};

/** Sample bodies that succeed (for "ok" cells); other routes get `{}`. */
export const API_BODIES: Record<string, unknown> = {
  "POST /api/v1/decisions": { session: { id: "role-matrix" }, tool: { server: "files", name: "read_file" }, arguments: { path: "a.txt" } },
  "POST /api/v1/tools/visible": { session: { id: "role-matrix" }, tools: [{ server: "files", name: "read_file" }] },
  "POST /api/v1/events": { events: [] },
  "POST /api/v1/inventory": {
    server: "role-matrix",
    tools: [{ name: "read_thing", description: "Reads a thing", inputSchema: { type: "object", properties: {} } }],
  },
  "POST /api/v1/policies/:store/validate": { text: "permit (principal, action, resource);" },
};

/** Console pages (app router), keyed by route as in .next/app-path-routes-manifest.json. */
const page = (allowed: Role[], good: Expect = "ok"): Row =>
  ({ anon: "login", agent: "login", ...Object.fromEntries(ROLES.map((r) => [r, allowed.includes(r) ? good : 403])) }) as Row;

export const PAGES: Record<string, Row> = {
  "/": page(ALL),
  "/login": open(),
  "/tools": page(ALL),
  "/tools/[server]/[name]": page(ALL),
  "/agents": page(ALL),
  "/agents/[name]": page(ALL),
  "/nhi": page(ALL),
  "/policies": page(ALL),
  "/policies/versions": page(ALL),
  "/policies/versions/[version]": page(ALL),
  "/policies/versions/diff": page(ALL),
  "/policies/shadow": page(ALL),
  // A policy test from a recorded decision (?decision=): analysts run it, admins save it.
  "/policies/tests/new": page(["admin", "analyst"]),
  "/directory": page(ALL),
  "/users": page(["admin"]),
  "/posture": page(["admin", "analyst"]),
  "/sinks": page(["admin", "analyst"]),
  "/account": page(ALL),
  "/search": page(ALL),
  "/triage": page(ALL),
  "/sessions": page(ALL),
  "/sessions/[id]": page(ALL, "pass"),
  "/sessions/[id]/graph": page(ALL, "pass"),
  "/sessions/[id]/audit": page(ALL, "pass"),
  "/approvals": page(ALL),
  "/approvals/[id]": page(ALL, "pass"),
  "/audit": page(ALL),
  // A shared saved view: redirects to its page (an unknown view: 404).
  "/views/[id]": page(ALL, "pass"),
  // Next.js's own error pages and next-auth's endpoints are public by design.
  "/_not-found": open("pass"),
  "/_global-error": open(500),
  "/api/auth/[...nextauth]": open("pass"),
  // Console JSON route handlers: a console session is required (no redirect for JSON).
  "/api/console/approvals": { anon: 401, agent: 401, admin: "ok", analyst: "ok", viewer: "ok" },
  "/api/console/approvals/count": { anon: 401, agent: 401, admin: "ok", analyst: "ok", viewer: "ok" },
  "/api/console/audit/export": { anon: 401, agent: 401, admin: "pass", analyst: "pass", viewer: "pass" },
  "/api/console/sessions/[id]/steps": { anon: 401, agent: 401, admin: "pass", analyst: "pass", viewer: "pass" },
};

/** Sample values for dynamic segments of routes and pages. */
export const PARAMS: Record<string, string> = { store: "mcp", server: "files", name: "read_file", version: "1", id: "role-matrix", "...nextauth": "providers" };
/** Dynamic segment values per route where the generic ones do not fit. */
export const PAGE_PATHS: Record<string, string> = { "/agents/[name]": "/agents/support-assistant" };
