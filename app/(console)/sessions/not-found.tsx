"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { decodeSegment } from "@/lib/analytics/links";

/** What an unknown session id answers ([id]/layout.tsx calls notFound(), with status 404): which id, and the way back. */
export default function SessionNotFound() {
  const { id } = useParams<{ id?: string }>();
  return (
    <section aria-labelledby="session-404-h" className="rounded border border-slate-200 bg-white p-6">
      <h1 id="session-404-h" className="text-xl font-semibold">
        Session not found
      </h1>
      <p className="mt-2 text-sm text-slate-700">
        No session has the id <span className="font-mono">{id ? decodeSegment(id) : "given"}</span>. Check the id, or find the session in the list.
      </p>
      <p className="mt-3">
        <Link href="/sessions" className="text-indigo-700 underline">
          All sessions
        </Link>
      </p>
    </section>
  );
}
