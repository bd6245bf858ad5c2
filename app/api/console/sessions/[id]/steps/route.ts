/**
 * GET /api/console/sessions/:id/steps?after=<step>&limit=<n>[&agent=&tool=&outcome=&show=] — a window of a
 * session's timeline for the console (the virtualised timeline loads windows as the analyst scrolls;
 * a graph edge loads its steps; a filter chip, `show=deny|approval|labels|delegation`, loads its steps;
 * "next deny" asks for `outcome=deny&limit=1` after the current step). Any signed-in role may read.
 */
import type { NextRequest } from "next/server";
import { requireApiUser } from "@/app/auth";
import { decodeSegment } from "@/lib/analytics/links";
import { badRequest } from "@/lib/errors";
import { answerProblems } from "@/lib/http/problem-response";
import { timelineSteps } from "@/lib/sessions/queries-timeline";
import { isTimelineShow, TIMELINE_SHOWS } from "@/lib/sessions/timeline-filter";

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
    const show = q.get("show") ?? undefined;
    if (show !== undefined && !isTimelineShow(show)) throw badRequest("invalid_request", `show must be one of ${TIMELINE_SHOWS.map((s) => s.id).join(", ")}`);
    const out = await timelineSteps(id, after, limit, { agent, tool: q.get("tool") ?? undefined, outcome: q.get("outcome") ?? undefined, show });
    return Response.json(out, { headers: { "Cache-Control": "no-store" } });
  });
}
