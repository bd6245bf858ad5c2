/**
 * GET /api/console/approvals/count — how many approvals wait for a decision, and the newest of them:
 * the navigation's badge polls it on every console page (and an opted-in browser notification names
 * the newest). Any signed-in role may read.
 */
import { requireApiUser } from "@/app/auth";
import { answerProblems } from "@/lib/http/problem-response";
import { pendingApprovalCount } from "@/lib/sessions/queries-approvals";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return answerProblems(req, async () => {
    await requireApiUser();
    return Response.json(await pendingApprovalCount(), { headers: { "Cache-Control": "no-store" } });
  });
}
