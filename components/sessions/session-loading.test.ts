import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import SessionLoading from "@/app/(console)/sessions/[id]/loading";
import SessionsLoading from "@/app/(console)/sessions/(list)/loading";

describe("loading states of the sessions pages", () => {
  it("the session detail page says it loads one session; the list says sessions", () => {
    expect(renderToStaticMarkup(createElement(SessionLoading))).toContain("Loading session…");
    expect(renderToStaticMarkup(createElement(SessionLoading))).not.toContain("sessions");
    expect(renderToStaticMarkup(createElement(SessionsLoading))).toContain("Loading sessions…");
  });
});
