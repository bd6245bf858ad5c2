"use client";

import { LoadError } from "@/components/sessions/load-error";

export default function SessionsError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <LoadError what="The session data" {...props} />;
}
