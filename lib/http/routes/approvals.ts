/**
 * Approvals: the gateway reads (or long-polls) the approval it got with a require_approval; reviewers
 * list pending approvals and decide them (analysts and admins only, exactly once).
 */
import { z } from "zod";
import { decideApproval } from "../../approvals/decide-approval.ts";
import { getApproval, listApprovals, MAX_WAIT_S } from "../../approvals/read.ts";
import { defineRoute } from "../route.ts";

const getQuery = z.object({ wait: z.coerce.number().min(0).max(MAX_WAIT_S).default(0).describe("Long-poll: seconds to wait while the approval is pending") });
const listQuery = z.object({
  status: z.enum(["pending", "approved", "denied", "expired", "used"]).optional(),
  session_id: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const decisionBody = z
  .object({
    decision: z.enum(["approve", "deny"]),
    comment: z.string().max(2000).optional(),
  })
  .strict();

export const approvalRoutes = [
  defineRoute({
    method: "GET",
    path: "/api/v1/approvals",
    auth: "user",
    query: listQuery,
    tag: "Approvals",
    summary: "List approvals (e.g. ?status=pending)",
    handler: ({ rt, query }) => listApprovals(query, rt.config.publicUrl),
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/approvals/:id",
    auth: "any",
    query: getQuery,
    tag: "Approvals",
    summary: "Read an approval (the agent that requested it, or a user); ?wait= long-polls",
    handler: ({ rt, params, query, principal }) => getApproval(rt, params.id, principal!, rt.config.publicUrl, query.wait),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/approvals/:id/decision",
    auth: "user",
    roles: ["admin", "analyst"],
    body: decisionBody,
    tag: "Approvals",
    summary: "Approve or deny a pending approval",
    handler: async ({ rt, params, body, user }) => {
      await decideApproval(rt, params.id, user!, body.decision, body.comment ?? null);
      return getApproval(rt, params.id, user!, rt.config.publicUrl);
    },
  }),
];
