import { Loading } from "@/components/sessions/load-error";

export default function AuditLoading() {
  return <Loading what="the audit log" />;
}
