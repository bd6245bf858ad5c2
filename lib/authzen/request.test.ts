import { describe, expect, it } from "vitest";
import { parseBatch, parseEvaluation, parsePage } from "./request.ts";

const ok = { subject: { type: "user", id: "u1" }, action: { name: "read" }, resource: { type: "doc", id: "d1" } };

describe("parseEvaluation", () => {
  it("keeps the 4-tuple and ignores unknown fields", () => {
    expect(parseEvaluation({ ...ok, context: { ip: "1.2.3.4" }, extra: 1 })).toEqual({ ...ok, context: { ip: "1.2.3.4" } });
  });

  it.each([
    [{ ...ok, subject: undefined }, "subject is required"],
    [{ ...ok, subject: "u1" }, "subject must be an object"],
    [{ ...ok, subject: { id: "u1" } }, "subject.type is required"],
    [{ ...ok, resource: { type: "doc", id: 7 } }, "resource.id must be a string"],
    [{ ...ok, action: {} }, "action.name is required"],
    [{ ...ok, action: { name: "" } }, "action.name must not be empty"],
    [{ ...ok, subject: { ...ok.subject, properties: [] } }, "subject.properties must be an object"],
    [{ ...ok, context: "x" }, "context must be an object"],
  ])("rejects %j with a 400", (body, message) => {
    expect(() => parseEvaluation(body as never)).toThrow(expect.objectContaining({ status: 400, message }));
  });

  it.each([
    [{ ...ok, context: { owner: { __entity: { type: "user", id: "admin" } } } }, /^context\.owner\.__entity: .*Cedar/],
    [{ ...ok, subject: { ...ok.subject, properties: { role: "x", Role: "admin" } } }, /^subject\.properties\.Role: .*same key as "role"/],
    [{ ...ok, resource: { ...ok.resource, properties: { "a\u0000": 1 } } }, /^resource\.properties\["a\\u0000"\]: .*U\+0000/],
    [{ ...ok, action: { name: "read", properties: { x: [{ __extn: { fn: "ip", arg: "1.2.3.4" } }] } } }, /^action\.properties\.x\[0\]\.__extn: /],
  ])("refuses properties and context that would not reach Cedar exactly (%#)", (body, message) => {
    expect(() => parseEvaluation(body as never)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(message) }));
  });
});

describe("parseBatch", () => {
  it("answers like /evaluation without (or with empty) evaluations", () => {
    expect(parseBatch({ ...ok }).items).toBeNull();
    expect(parseBatch({ ...ok, evaluations: [] }).single).toEqual(ok);
    expect(() => parseBatch({ evaluations: [] })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it("replaces defaults per item, falling back to the default type/id/name", () => {
    const b = parseBatch({
      subject: { type: "user", id: "u1", properties: { a: 1 } },
      action: { name: "read" },
      resource: { type: "doc" },
      context: { c: 1 },
      evaluations: [
        { resource: { id: "d1" } },
        { subject: { id: "u2" }, action: { properties: { soft: true } }, resource: { type: "folder", id: "f" }, context: { c: 2 } },
        {},
      ],
    });
    expect(b.items![0]).toEqual({
      subject: { type: "user", id: "u1", properties: { a: 1 } },
      action: { name: "read" },
      resource: { type: "doc", id: "d1" },
      context: { c: 1 },
    });
    expect(b.items![1]).toEqual({
      subject: { type: "user", id: "u2" },
      action: { name: "read", properties: { soft: true } },
      resource: { type: "folder", id: "f" },
      context: { c: 2 },
    });
    expect(b.items![2]).toEqual({ error: "evaluations[2]: resource.id is required" });
    expect(b.semantic).toBe("execute_all");
  });

  it("validates options and the shape of the batch", () => {
    expect(parseBatch({ ...ok, options: { evaluations_semantic: "permit_on_first_permit" }, evaluations: [{}] }).semantic).toBe("permit_on_first_permit");
    expect(() => parseBatch({ ...ok, options: { evaluations_semantic: "all" }, evaluations: [{}] })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseBatch({ ...ok, evaluations: {} })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseBatch({ ...ok, subject: "x", evaluations: [{}] })).toThrow(expect.objectContaining({ status: 400 }));
    expect(parseBatch({ ...ok, evaluations: [5] }).items).toEqual([{ error: "evaluations[0] must be an object" }]);
  });
});

describe("parsePage", () => {
  it("accepts token/next_token and bounds the limit", () => {
    expect(parsePage(undefined)).toEqual({ token: null, limit: 100 });
    expect(parsePage({ token: "t", limit: 5 })).toEqual({ token: "t", limit: 5 });
    expect(parsePage({ next_token: "n", limit: 5000 })).toEqual({ token: "n", limit: 1000 });
    expect(() => parsePage({ limit: -1 })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parsePage({ token: 1 })).toThrow(expect.objectContaining({ status: 400 }));
  });
});
