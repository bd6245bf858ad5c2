/**
 * GET /api/console/sessions/:id/steps?after=<step>&limit=<n>[&agent=&tool=&outcome=] — a window of a
 * session's timeline for the console (the virtualised timeline loads windows as the analyst scrolls;
 * a graph edge loads its steps). Any signed-in role may read.
 */
import { NextResponse, type NextRequest } from "next/server";
import { currentUser } from "@/app/auth";
import { decodeSegment } from "@/lib/analytics/links";
import { timelineSteps } from "@/lib/sessions/queries-timeline";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser())) return NextResponse.json({ title: "Unauthorized", detail: "sign in to the console" }, { status: 401 });
  const id = decodeSegment((await params).id);
  const q = req.nextUrl.searchParams;
  const after = Math.max(0, Math.floor(Number(q.get("after") ?? 0)) || 0);
  const limit = Math.min(1000, Math.max(1, Math.floor(Number(q.get("limit") ?? 200)) || 200));
  const uuid = /^[0-9a-f-]{36}$/i;
  const agent = q.get("agent") ?? undefined;
  if (agent && !uuid.test(agent)) return NextResponse.json({ title: "Bad Request", detail: "agent must be an agent id" }, { status: 400 });
  const out = await timelineSteps(id, after, limit, { agent, tool: q.get("tool") ?? undefined, outcome: q.get("outcome") ?? undefined });
  return NextResponse.json(out, { headers: { "Cache-Control": "no-store" } });
}
