"use client";

import { LoadError } from "@/components/sessions/load-error";

export default function AuditError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <LoadError what="The audit log" {...props} />;
}
