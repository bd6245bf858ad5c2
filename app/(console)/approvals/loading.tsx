import { Loading } from "@/components/sessions/load-error";

export default function ApprovalsLoading() {
  return <Loading what="the approvals queue" />;
}
