import { expect, test } from "./support/fixtures.ts";

test("an analyst reads the posture report: frameworks mapped to live checks, with signed exports", async ({ console: c }) => {
  const page = await c.pageAs("analyst");
  await page.goto("/posture");
  await expect(page.getByRole("heading", { name: "Posture", level: 1 })).toBeVisible();
  const asi = page.getByTestId("posture-owasp-asi");
  await expect(asi.locator("tbody tr")).toHaveCount(10);
  await expect(asi.getByRole("row", { name: /ASI02 Tool Misuse and Exploitation/ })).toContainText(
    "Tools, resources and prompts with an approved classification",
  );
  await expect(page.getByTestId("posture-owasp-nhi").locator("tbody tr")).toHaveCount(10);
  await expect(page.getByTestId("posture-owasp-nhi").getByRole("row", { name: /NHI3/ })).toContainText("Not provided by Mandate");
  await expect(page.getByTestId("posture-nist-800-207").locator("tbody tr")).toHaveCount(7);

  // The demo's pending tools need review: the check says so and links to the evidence.
  const attention = page.getByRole("region", { name: /Needs attention/ });
  await attention.getByRole("link", { name: "Tools, resources and prompts with an approved classification" }).click();
  await expect(page).toHaveURL(/\/tools\?status=pending/);

  // The signed JSON export is the same report.
  const r = await page.request.get("/api/v1/posture/report?format=json");
  expect(r.status()).toBe(200);
  const body = (await r.json()) as { format: string; signature: { alg: string } };
  expect(body).toMatchObject({ format: "mandate-posture-report/1", signature: { alg: "Ed25519" } });

  // Viewers do not see it.
  const viewer = await c.pageAs("viewer");
  await viewer.goto("/");
  await expect(viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Posture" })).toHaveCount(0);
});
