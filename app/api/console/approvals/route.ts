/**
 * GET /api/console/approvals — the approvals queue (pending with their session context, recently
 * decided) that the console polls to stay current. Any signed-in role may read; deciding goes through
 * POST /api/v1/approvals/:id/decision, which checks the role.
 */
import { requireApiUser } from "@/app/auth";
import { answerProblems } from "@/lib/http/problem-response";
import { approvalQueue } from "@/lib/sessions/queries-approvals";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return answerProblems(req, async () => {
    await requireApiUser();
    return Response.json(await approvalQueue(), { headers: { "Cache-Control": "no-store" } });
  });
}
