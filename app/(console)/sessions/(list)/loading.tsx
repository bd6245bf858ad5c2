import { Loading } from "@/components/sessions/load-error";

export default function SessionsLoading() {
  return <Loading what="sessions" />;
}
