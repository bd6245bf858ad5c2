import { Loading } from "@/components/sessions/load-error";

export default function SessionLoading() {
  return <Loading what="session" />;
}
