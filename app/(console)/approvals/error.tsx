"use client";

import { LoadError } from "@/components/sessions/load-error";

export default function ApprovalsError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <LoadError what="The approvals queue" {...props} />;
}
