import { describe, expect, it } from "vitest";
import type { DecidedApprovalItem, PendingApprovalItem } from "@/lib/sessions/queries-approvals";
import { initialView, markMine, moveCursor, NO_FILTERS, reconcile, resolutionText, sortIds, tidy, visibleIds } from "./queue-state";

const T0 = Date.parse("2026-12-07T06:00:00Z");
const pending = (n: number, over: Partial<PendingApprovalItem> = {}): PendingApprovalItem => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  sessionId: `s-${n % 3}`,
  step: n,
  agent: n % 2 ? "ops-agent" : "support-assistant",
  tool: n % 2 ? "files/delete_file" : "mail/send_email",
  reasons: [],
  createdAt: new Date(T0 + n * 60_000).toISOString(),
  expiresAt: new Date(T0 + 3_600_000 + n * 60_000).toISOString(),
  arguments: {},
  labelsBefore: [],
  initiator: null,
  delegationChain: [],
  context: [],
  ...over,
});
const decided = (p: PendingApprovalItem, status: string, by: string | null): DecidedApprovalItem => ({
  id: p.id,
  sessionId: p.sessionId,
  step: p.step,
  agent: p.agent,
  tool: p.tool,
  status,
  decidedBy: by,
  decidedAt: by ? p.createdAt : null,
  comment: null,
  createdAt: p.createdAt,
  expiresAt: p.expiresAt,
});

describe("the approvals queue's display order", () => {
  const [a, b, c, d] = [1, 2, 3, 4].map((n) => pending(n));

  it("keeps an item decided elsewhere in its place, saying who decided, and appends new ones at the end", () => {
    const v0 = initialView([a, b, c]);
    const { view, added } = reconcile(v0, { pending: [d, a, c], decided: [decided(b, "denied", "eve@example.com")], watched: [] });
    expect(view.order).toEqual([a.id, b.id, c.id, d.id]);
    expect(added).toBe(1);
    expect(resolutionText(view.resolved[b.id])).toBe("Decided elsewhere by eve@example.com: denied");
    // Expired, known only from `watched` (not among the recent ones).
    const next = reconcile(view, { pending: [d, c], decided: [], watched: [decided(a, "expired", null)] }).view;
    expect(next.order).toEqual([a.id, b.id, c.id, d.id]);
    expect(resolutionText(next.resolved[a.id])).toBe("Expired before anyone decided");
    expect(resolutionText(next.resolved[b.id])).toBe("Decided elsewhere by eve@example.com: denied");
  });

  it("an item decided here stays mine even when a later poll names the decider; tidy up drops collapsed items and sorts", () => {
    const mine = markMine(initialView([a, b, c]), [a.id], "approved", "me@example.com");
    const later = reconcile(mine, { pending: [b, c], decided: [decided(a, "approved", "me@example.com")], watched: [] }).view;
    expect(resolutionText(later.resolved[a.id])).toBe("Approved by you");
    const t = tidy(later, { key: "tool", desc: false });
    expect(t.order).toEqual([c.id, b.id]); // files/… before mail/…
    expect(t.resolved).toEqual({});
  });

  it("sorts only on request, and j/k skip collapsed items", () => {
    const v = initialView([a, b, c, d]);
    expect(sortIds(v, v.order, { key: "age", desc: true })).toEqual([a.id, b.id, c.id, d.id]); // waited longest first
    expect(sortIds(v, v.order, { key: "age", desc: false })).toEqual([d.id, c.id, b.id, a.id]);
    expect(sortIds(v, v.order, { key: "agent", desc: false })).toEqual([a.id, c.id, b.id, d.id]);
    const m = markMine(v, [b.id], "denied", "me@example.com");
    expect(moveCursor(m, m.order, null, 1)).toBe(a.id);
    expect(moveCursor(m, m.order, a.id, 1)).toBe(c.id);
    expect(moveCursor(m, m.order, c.id, -1)).toBe(a.id);
    expect(moveCursor(m, m.order, a.id, -1)).toBe(a.id); // stays at the top
    expect(moveCursor(m, m.order, null, -1)).toBe(d.id);
  });

  it("filters by agent, tool, session and age measured when the filter was set", () => {
    const v = initialView([a, b, c, d]);
    expect(visibleIds(v, { ...NO_FILTERS, agent: "ops-agent" })).toEqual([a.id, c.id]);
    expect(visibleIds(v, { ...NO_FILTERS, tool: "mail/send_email" })).toEqual([b.id, d.id]);
    expect(visibleIds(v, { ...NO_FILTERS, session: "S-1" })).toEqual([a.id, d.id]);
    // At T0 + 5 min: a (created T0+1min) waited 4 min, b 3 min.
    expect(visibleIds(v, { ...NO_FILTERS, minAgeMin: 3, since: T0 + 5 * 60_000 })).toEqual([a.id, b.id]);
  });
});
