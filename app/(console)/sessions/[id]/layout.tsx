import { notFound } from "next/navigation";
import { decodeSegment } from "@/lib/analytics/links";
import { loadSession } from "./load-session";

/**
 * An unknown session id is a 404 — answered with that status because it is decided here, before
 * anything of the page is streamed (the page itself renders behind its loading state, where a
 * notFound() could only change what is shown, not the status already sent). The page shown is
 * sessions/not-found.tsx.
 */
export default async function SessionLayout({ children, params }: { children: React.ReactNode; params: Promise<{ id: string }> }) {
  if (!(await loadSession(decodeSegment((await params).id)))) notFound();
  return children;
}
