/**
 * Issue 19 §2 in the console: an admin adds a webhook sink on /sinks against a real HTTP collector started
 * here (test/support/collector.ts: node:http, NDJSON, HMAC-checked), sees the events arrive and the lag
 * reach 0, sends a test event, stops the receiver and sees the sink fail and fall behind, brings it back
 * refusing one entry for good (HTTP 400) and sees that entry in the dead-letter list while everything else
 * arrives, then removes the sink after confirming. Analysts read the page without the controls; viewers
 * do not have it in the navigation.
 */
import { randomUUID } from "node:crypto";
import { Collector, type Received } from "../test/support/collector.ts";
import { decide } from "./support/agent-calls.ts";
import { expect, test } from "./support/fixtures.ts";

const HMAC_KEY = "e2e-sinks-webhook-hmac-key";
const SLOW = { timeout: 90_000 };

test("an admin streams the audit to a webhook from the console: delivery, lag, failure, dead letter, removal", async ({ console: c }) => {
  test.setTimeout(300_000);
  const collector = await new Collector({ webhook: HMAC_KEY, hec: "-", otlp: "-" }).start();
  try {
    const agent = await c.node.createAgent(`sinks-e2e-${randomUUID().slice(0, 8)}`);
    const ours = (e: Received) => JSON.stringify(e.event.actor ?? {}).includes(agent.name); // this spec's agent only
    const call = async (tool: string) => (await decide(c.node.url, agent.apiKey, `sinks-e2e-${randomUUID()}`, tool, { path: "a.txt" })).body.decision;
    const name = `siem-${randomUUID().slice(0, 6)}`;
    const page = await c.pageAs("admin");
    await page.goto("/sinks");
    await expect(page.getByRole("heading", { name: "Audit sinks", level: 1 })).toBeVisible();

    // The API validates the form: a syslog sink needs tcp:// or tls://.
    const form = page.getByRole("form", { name: "Add a sink" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Kind").selectOption("syslog");
    await form.getByLabel("Endpoint").fill(`${collector.url}/webhook`);
    await form.getByRole("button", { name: "Add sink" }).click();
    await expect(form.getByRole("alert")).toContainText("must be tcp://host:port or tls://host:port");

    await form.getByLabel("Kind").selectOption("webhook");
    await form.getByLabel("Token").fill(HMAC_KEY);
    await form.getByRole("button", { name: "Add sink" }).click();
    await expect(form.getByRole("status")).toContainText(`Added the sink ${name}`);
    const row = page.getByTestId("sinks").locator(`tr[data-sink="${name}"]`);
    await expect(row).toContainText("NDJSON webhook · OCSF");
    await expect(row).toContainText(`${collector.url}/webhook`);
    await expect(row).toContainText("token set");

    // Events arrive (the sink's own sink.create entry, then the decisions), and the lag reaches 0.
    for (let i = 0; i < 3; i++) expect(await call("files/read_file")).toBe("allow");
    await expect.poll(() => collector.unique("/webhook").filter((e) => e.action === "decision.allow" && ours(e)).length, SLOW).toBe(3);
    expect(collector.unique("/webhook").some((e) => e.action === "sink.create" && e.event.entity.name === name)).toBe(true);
    await expect(row.getByTestId("sink-lag")).toHaveText("0 entries", SLOW);
    await expect(row.getByTestId("sink-state")).toHaveText("up to date");
    await expect(row.getByTestId("sink-oldest")).toHaveText("nothing waiting");
    expect(Number(await row.getByTestId("sink-delivered").textContent())).toBeGreaterThanOrEqual(4);

    await row.getByRole("button", { name: "Send test event" }).click();
    await expect(row.getByRole("status")).toContainText("Taken: HTTP 200");
    expect(collector.got.get("/webhook")!.some((e) => e.action === "sink.test")).toBe(true);

    // The receiver dies: the sink fails, and what is written meanwhile waits.
    await collector.kill();
    for (let i = 0; i < 3; i++) expect(await call("files/read_file")).toBe("allow");
    await expect(row.getByTestId("sink-state")).toHaveText("failing", SLOW);
    await expect(row.getByTestId("sink-error")).toContainText("ECONNREFUSED");
    await expect(row.getByTestId("sink-lag")).not.toHaveText("0 entries");
    await expect(row.getByTestId("sink-oldest")).toContainText("oldest waiting");

    // Back, refusing one entry for good: it goes to the dead-letter list, everything else arrives.
    collector.refuseAction = "decision.require_approval";
    await collector.start();
    expect(await call("files/delete_file")).toBe("require_approval");
    await expect(row.getByTestId("sink-dead-letters")).toHaveText("1", SLOW);
    expect(await call("files/read_file")).toBe("allow"); // a delivery after the dead letter clears the last error
    // The receiver has every allowed decision (3 before, 3 while it was down, 1 after), then the page says so.
    const allowed = () => collector.unique("/webhook").filter((e) => e.action === "decision.allow" && ours(e)).length;
    await expect.poll(allowed, SLOW).toBe(7);
    await expect(row.getByTestId("sink-lag")).toHaveText("0 entries", SLOW);
    await expect(row.getByTestId("sink-state")).toHaveText("up to date", SLOW);
    const letters = page.getByTestId(`dead-letters-${name}`);
    await expect(letters.locator("tbody tr")).toHaveCount(1);
    await expect(letters.locator("tbody tr")).toContainText("HTTP 400: refusing decision.require_approval");
    await expect(letters.locator("tbody tr td").nth(2)).toHaveText("5"); // MANDATE_SINK_MAX_ATTEMPTS, default
    expect(collector.unique("/webhook").some((e) => e.action === "decision.require_approval")).toBe(false);

    // An analyst reads it all, without the controls.
    const analyst = await c.pageAs("analyst");
    await analyst.goto("/sinks");
    const analystRow = analyst.getByTestId("sinks").locator(`tr[data-sink="${name}"]`);
    await expect(analystRow.getByTestId("sink-dead-letters")).toHaveText("1");
    await expect(analystRow.getByRole("button")).toHaveCount(0);
    await expect(analyst.getByRole("form", { name: "Add a sink" })).toHaveCount(0);
    const viewer = await c.pageAs("viewer");
    await viewer.goto("/");
    await expect(viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sinks" })).toHaveCount(0);

    // The admin sends the dead letter again: refused while the receiver still refuses it (one more
    // attempt), taken once it no longer does, and then it leaves the list.
    await letters.getByRole("button", { name: "Send again" }).click();
    await expect(letters.getByRole("alert")).toContainText("Refused again: HTTP 400");
    await expect(letters.locator("tbody tr td").nth(2)).toHaveText("6");
    collector.refuseAction = null;
    await letters.getByRole("button", { name: "Send again" }).click();
    await expect(page.getByTestId(`dead-letters-${name}`)).toHaveCount(0);
    await expect(row.getByTestId("sink-dead-letters")).toHaveText("0");
    expect(collector.unique("/webhook").filter((e) => e.action === "decision.require_approval" && ours(e))).toHaveLength(1);

    // Removal, confirmed.
    await row.getByRole("button", { name: "Remove" }).click();
    const dialog = page.getByRole("dialog", { name: `Remove the sink ${name}?` });
    await dialog.getByRole("button", { name: "Remove sink" }).click();
    await expect(row).toHaveCount(0);
    await expect(page.getByTestId(`dead-letters-${name}`)).toHaveCount(0);
  } finally {
    await collector.kill();
  }
});
