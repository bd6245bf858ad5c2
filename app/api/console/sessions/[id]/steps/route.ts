/**
 * GET /api/console/sessions/:id/steps?after=<step>&limit=<n>[&agent=&tool=&outcome=] — a window of a
 * session's timeline for the console (the virtualised timeline loads windows as the analyst scrolls;
 * a graph edge loads its steps). Any signed-in role may read.
 */
import type { NextRequest } from "next/server";
import { requireApiUser } from "@/app/auth";
import { decodeSegment } from "@/lib/analytics/links";
import { badRequest } from "@/lib/errors";
import { answerProblems } from "@/lib/http/problem-response";
import { timelineSteps } from "@/lib/sessions/queries-timeline";

export const dynamic = "force-dynamic";

export function GET(req: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  return answerProblems(req, async () => {
    await requireApiUser();
    const id = decodeSegment((await params).id);
    const q = req.nextUrl.searchParams;
    const after = Math.max(0, Math.floor(Number(q.get("after") ?? 0)) || 0);
    const limit = Math.min(1000, Math.max(1, Math.floor(Number(q.get("limit") ?? 200)) || 200));
    const uuid = /^[0-9a-f-]{36}$/i;
    const agent = q.get("agent") ?? undefined;
    if (agent && !uuid.test(agent)) throw badRequest("invalid_request", "agent must be an agent id");
    const out = await timelineSteps(id, after, limit, { agent, tool: q.get("tool") ?? undefined, outcome: q.get("outcome") ?? undefined });
    return Response.json(out, { headers: { "Cache-Control": "no-store" } });
  });
}
