import { notFound, redirect } from "next/navigation";
import { requireUser } from "@/app/auth";
import { decodeSegment } from "@/lib/analytics/links";
import { getView } from "@/lib/console/saved-views";

export const metadata = { title: "Saved view" };

/**
 * A shared saved view's link: any signed-in user is taken to the view's page with its filters (and
 * `view=<id>`, so the page names the view); an unknown id is a 404. Signed out, the link survives sign-in.
 */
export default async function SavedViewPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  const v = await getView(decodeSegment((await params).id));
  if (!v) notFound();
  redirect(`${v.href}${v.query ? "&" : "?"}view=${v.id}`);
}
