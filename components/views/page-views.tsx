import { getView, listViews, type ViewPage } from "@/lib/console/saved-views";
import { ViewsMenu } from "./views-menu";

/** The saved-views menu of a page, loaded on the server: the user's views of it and the view `?view=` names. */
export async function PageViews({ userId, page, view }: { userId: string; page: ViewPage; view: string | string[] | undefined }) {
  const id = Array.isArray(view) ? view[0] : view;
  const [views, current] = await Promise.all([listViews(userId, page), id ? getView(id) : null]);
  return <ViewsMenu page={page} views={views} current={current && current.page === page ? { id: current.id, name: current.name } : null} />;
}
