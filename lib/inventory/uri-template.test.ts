import { describe, expect, it } from "vitest";
import { isUriTemplate, templateMatches, templateSupported, uriRefusal } from "./uri-template.ts";

describe("resource URI templates", () => {
  it("{var} matches one segment, never a slash", () => {
    expect(templateMatches("crm://customers/{id}", "crm://customers/42")).toBe(true);
    expect(templateMatches("crm://customers/{id}", "crm://customers/a-b_c.d~e")).toBe(true);
    expect(templateMatches("crm://customers/{id}", "crm://customers/42/notes")).toBe(false);
    expect(templateMatches("crm://customers/{id}", "crm://customers/")).toBe(false);
    expect(templateMatches("crm://customers/{id}", "crm://customers/a@b")).toBe(false);
    expect(templateMatches("crm://customers/{id}/notes", "crm://customers/7/notes")).toBe(true);
  });

  it("{+var} may match reserved characters, slashes included", () => {
    expect(templateMatches("file:///srv/{+path}", "file:///srv/a/b/c.txt")).toBe(true);
    expect(templateMatches("file:///srv/{+path}", "file:///etc/passwd")).toBe(false);
  });

  it("literal parts are matched literally (no regular-expression meaning)", () => {
    expect(templateMatches("test://a.b/{x}", "test://aXb/1")).toBe(false);
    expect(templateMatches("test://a+b/{x}", "test://a+b/1")).toBe(true);
  });

  it("operators and lists that cannot be matched exactly match nothing", () => {
    for (const t of ["x://{#frag}", "x://a{/seg}", "x://a{?q}", "x://{a,b}", "x://{a*}", "x://{a:3}", "x://{a"]) {
      expect(templateSupported(t), t).toBe(false);
      expect(templateMatches(t, "x://abc"), t).toBe(false);
    }
  });

  it("refuses URIs that normalisation would change, or that are not URIs", () => {
    expect(uriRefusal("crm://customers/42")).toBeNull();
    expect(uriRefusal("crm://customers/%34%32")).toMatch(/percent-decoding/);
    expect(uriRefusal("crm://customers/../admin")).toMatch(/dot segments/);
    expect(uriRefusal("crm://customers/./42")).toMatch(/dot segments/);
    expect(uriRefusal("file:///srv/a/..")).toMatch(/dot segments/);
    expect(uriRefusal("crm://customers/100%")).toMatch(/malformed/);
    expect(uriRefusal("customers/42")).toMatch(/scheme/);
    expect(uriRefusal("crm://customers/4 2")).toMatch(/cannot hold/);
    expect(uriRefusal("crm://customers/{id}")).toMatch(/cannot hold/);
  });

  it("tells templates from URIs", () => {
    expect(isUriTemplate("crm://customers/{id}")).toBe(true);
    expect(isUriTemplate("crm://customers/42")).toBe(false);
  });
});
