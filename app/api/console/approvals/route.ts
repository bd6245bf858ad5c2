/**
 * GET /api/console/approvals — the approvals queue (pending with their session context, recently
 * decided) that the console polls to stay current. Any signed-in role may read; deciding goes through
 * POST /api/v1/approvals/:id/decision, which checks the role.
 */
import { NextResponse } from "next/server";
import { currentUser } from "@/app/auth";
import { approvalQueue } from "@/lib/sessions/queries-approvals";

export const dynamic = "force-dynamic";

export async function GET() {
  if (!(await currentUser())) return NextResponse.json({ title: "Unauthorized", detail: "sign in to the console" }, { status: 401 });
  return NextResponse.json(await approvalQueue(), { headers: { "Cache-Control": "no-store" } });
}
