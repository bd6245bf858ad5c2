/**
 * The session risk score (lib/sessions/risk.ts) on a real node: sessions made through the decision API
 * and the token exchange, read by the console's queries. The SQL base (what "Needs me now" sorts by)
 * equals the TypeScript formula for every session, the view puts the riskiest first, leaves out clean,
 * terminated and long-idle sessions, and pages through the same order with its keyset cursors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { runKeyset } from "../../lib/console/table/keyset.ts";
import { parseTableState } from "../../lib/console/table/definition.ts";
import { listNeedsMe, listSessions, sessionFilterOptions } from "../../lib/sessions/queries.ts";
import { needsMeTableDefinition, sessionsSource, sessionsTableDefinition } from "../../lib/sessions/queries-filters.ts";
import { riskParts } from "../../lib/sessions/risk.ts";
import { timelineCounts, timelineSteps } from "../../lib/sessions/queries-timeline.ts";
import { TIMELINE_SHOWS, type TimelineShow } from "../../lib/sessions/timeline-filter.ts";
import type { TimelineStep } from "../../lib/sessions/timeline-step.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let support: string, research: string;
const run = Date.now().toString(36);
const id = (name: string) => `risk-${name}-${run}`;

async function decide(session: string, tool: string, args: Record<string, unknown> = {}, key = support, delegation?: string) {
  const [server, name] = tool.split("/");
  const r = await api(m.url, key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server, name },
    arguments: args,
    ...(delegation ? { delegation_token: delegation } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { decision: string; approval?: { id: string } };
}

async function exchange(fields: Record<string, string>) {
  const r = await fetch(`${m.url}/api/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
      ...fields,
    }),
  });
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as { access_token: string };
}

const trifecta = async (s: string) => {
  await decide(s, "crm/get_customer", { customer_id: "c-1" });
  await decide(s, "web/fetch_url", { url: "https://example.com/" });
  return decide(s, "mail/send_email", { to: "x@example.org", subject: "s", body: "b" });
};

beforeAll(async () => {
  m = await startMandate();
  [support, , research] = m.credentials!.agents.map((a) => a.api_key);
  // clean: reads only → 0.
  await decide(id("clean"), "files/read_file", { path: "a.txt" });
  await decide(id("clean"), "files/read_file", { path: "b.txt" });
  // trifecta: 1 deny of 3 steps, pii + untrusted_content → 3 + 6.67 + 16 = 25.67.
  expect((await trifecta(id("trifecta"))).decision).toBe("deny");
  // approval: asks to delete, an analyst approves, the delete runs (a destructive, high-risk tool used) → 4 + 6 = 10.
  const asked = await decide(id("approval"), "files/delete_file", { path: "old.txt" });
  expect(asked.decision).toBe("require_approval");
  expect((await api(m.url, m.adminToken, "POST", `/api/v1/approvals/${asked.approval!.id}/decision`, { decision: "approve" })).status).toBe(200);
  expect((await decide(id("approval"), "files/delete_file", { path: "old.txt" })).decision).toBe("allow");
  // delegated: a two-hop delegation issued in the session, one read → 8.
  const first = await exchange({
    subject_token: m.adminToken,
    subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
    actor_token: support,
    session_id: id("delegated"),
    scope: "tool:files/*",
  });
  await exchange({ subject_token: first.access_token, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", actor_token: research });
  await decide(id("delegated"), "files/read_file", { path: "c.txt" }, support, first.access_token);
  // stale: the trifecta again twice over, but idle for three days (its decay: 1/8) → (6 + 10 + 16) / 8 = 4.
  await trifecta(id("stale"));
  await decide(id("stale"), "mail/send_email", { to: "y@example.org", subject: "s", body: "b" });
  // old: riskiest of all but idle for 8 days → outside the view's horizon. ended: terminated → outside the view.
  await trifecta(id("old"));
  await trifecta(id("ended"));
  await getPool().query(`UPDATE sessions SET last_activity_at = now() - interval '3 days' WHERE id = $1`, [id("stale")]);
  await getPool().query(`UPDATE sessions SET last_activity_at = now() - interval '8 days' WHERE id = $1`, [id("old")]);
  await getPool().query(`UPDATE sessions SET status = 'terminated', terminated_at = now(), terminated_by = 'test' WHERE id = $1`, [id("ended")]);
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

const ours = <T extends { id: string }>(rows: T[]) => rows.filter((r) => r.id.endsWith(run));

describe("session risk", () => {
  it("is the same in SQL (what the lists sort by) as in the documented formula, for every session", async () => {
    const def = sessionsTableDefinition({ ...(await sessionFilterOptions()), sp: {} });
    const page = await runKeyset<Record<string, any>>(getPool(), sessionsSource(), parseTableState(def, {}), 500);
    expect(ours(page.rows as Array<{ id: string }>)).toHaveLength(7);
    for (const r of page.rows) {
      const ts = riskParts({
        steps: r.step_count,
        denies: r.deny_count,
        approvals: r.approval_count,
        labels: r.labels,
        riskyTools: r.risky_tools,
        delegationDepth: r.delegation_depth,
      });
      expect(Number(r.risk_base), r.id).toBe(ts.base);
    }
    const base = (name: string) => Number(page.rows.find((r) => r.id === id(name))!.risk_base);
    expect([base("clean"), base("trifecta"), base("approval"), base("delegated"), base("stale")]).toEqual([0, 25.67, 10, 8, 32]);
  });

  it("puts the riskiest active session first in Needs me now, without clean, terminated or long-idle sessions", async () => {
    const def = needsMeTableDefinition({ ...(await sessionFilterOptions()), sp: {} });
    const page = await listNeedsMe(parseTableState(def, {}), 50);
    const rows = ours(page.rows);
    expect(rows.map((r) => r.id)).toEqual([id("trifecta"), id("approval"), id("delegated"), id("stale")]);
    expect(rows.map((r) => r.risk.score)).toEqual([26, 10, 8, 4]);
    expect(rows[0].risk.explain).toContain("label combination 16");

    // One row a page: the cursors walk the same order (the sort key does not move as time passes).
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const state = parseTableState(def, cursor ? { after: cursor } : {});
      const p = await listNeedsMe(state, 1);
      walked.push(...p.rows.map((r) => r.id));
      cursor = p.next;
      if (!cursor) break;
    }
    expect(walked.filter((x) => x.endsWith(run))).toEqual(rows.map((r) => r.id));
  });

  it("sorts the whole session list by risk either way, clean sessions last when descending", async () => {
    const def = sessionsTableDefinition({ ...(await sessionFilterOptions()), sp: {} });
    const desc = ours((await listSessions(parseTableState(def, { sort: "risk", dir: "desc" }), 50)).rows).map((r) => r.id);
    // The terminated trifecta is as risky as the active one (its order against it is that of their last activity).
    expect(desc.slice(0, 2).sort()).toEqual([id("ended"), id("trifecta")].sort());
    expect(desc.slice(2)).toEqual([id("approval"), id("delegated"), id("stale"), id("old"), id("clean")]);
    const asc = ours((await listSessions(parseTableState(def, { sort: "risk", dir: "asc" }), 50)).rows).map((r) => r.id);
    expect(asc).toEqual([...desc].reverse());
  });
});

/** What each chip shows, as the timeline's own assembly of a step (timeline-step.ts) says. */
const SHOWS: Record<TimelineShow, (s: TimelineStep) => boolean> = {
  deny: (s) => s.outcome === "deny",
  approval: (s) => s.outcome === "require_approval" || s.approval !== null,
  labels: (s) => s.labelsAdded.length > 0,
  delegation: (s) => s.delegation !== null,
};

describe("timeline filter chips", () => {
  it("list in SQL exactly the steps the timeline's assembly says each chip is about, and count them", async () => {
    const seen: Record<TimelineShow, number> = { deny: 0, approval: 0, labels: 0, delegation: 0 };
    for (const name of ["clean", "trifecta", "approval", "delegated", "stale"]) {
      const all = (await timelineSteps(id(name), 0, 1000)).steps;
      const counts = await timelineCounts(id(name));
      for (const { id: show } of TIMELINE_SHOWS) {
        const want = all.filter(SHOWS[show]).map((s) => s.step);
        const got = (await timelineSteps(id(name), 0, 1000, { show })).steps.map((s) => s.step);
        expect(got, `${name} ${show}`).toEqual(want);
        expect(counts[show], `${name} ${show}`).toBe(want.length);
        seen[show] += want.length;
      }
    }
    // Every chip had something to show (else the comparison above proves little).
    expect(seen).toEqual({ deny: 3, approval: 2, labels: 4, delegation: 1 });
    // "Next deny" after step 3 of the stale session: its step 4.
    expect((await timelineSteps(id("stale"), 3, 1, { outcome: "deny" })).steps.map((s) => s.step)).toEqual([4]);
  });
});
