/**
 * The session timeline's filter chips (`?show=` in the page's URL): plain data, read by the browser and
 * by the steps API, which answers them in SQL (queries-timeline.ts showCondition).
 */
export const TIMELINE_SHOWS = [
  { id: "deny", label: "Denies only" },
  { id: "approval", label: "Approvals" },
  { id: "labels", label: "Label changes" },
  { id: "delegation", label: "Delegation" },
] as const;

export type TimelineShow = (typeof TIMELINE_SHOWS)[number]["id"];

export function isTimelineShow(v: unknown): v is TimelineShow {
  return TIMELINE_SHOWS.some((s) => s.id === v);
}
