import { join } from "node:path";
import { expect, test } from "./support/fixtures.ts";
import { loadPack } from "../lib/authzen/pack.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { ROOT } from "../test/support/mandate.ts";

test("the directory shows each policy store and the entities of an imported pack, to every role", async ({ console: c }) => {
  await loadPack(noNode(), join(ROOT, "examples/authzen-pack"), "test:setup");
  const page = await c.pageAs("viewer");
  await page.goto("/directory?store=todo");
  await expect(page.getByRole("navigation", { name: "Policy stores" })).toContainText("mcp");
  await expect(page.getByRole("link", { name: /^todo/ })).toHaveAttribute("aria-current", "page");
  const table = page.getByTestId("directory-entities");
  await expect(table).toContainText("rick@the-citadel.com");
  await page.getByLabel("Entity type").fill("no_such_type");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("directory-empty")).toContainText("of type no_such_type");
  await page.goto("/directory?store=mcp");
  await expect(page.getByTestId("directory-empty")).toContainText("The MCP store needs none");
});
