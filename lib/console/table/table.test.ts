import { describe, expect, it } from "vitest";
import { parseTableState, tableStateToParams, type TableDefinition, type TableState } from "./definition.ts";
import { buildKeysetSql, containsPattern, decodeCursor, encodeCursor, toPage, type KeysetSource } from "./keyset.ts";

const def: TableDefinition = {
  id: "t",
  filters: [
    {
      id: "status",
      label: "Status",
      kind: "select",
      options: [
        { value: "pending", label: "Pending" },
        { value: "approved", label: "Approved" },
      ],
    },
    {
      id: "labels",
      label: "Labels",
      kind: "multi",
      options: [
        { value: "pii", label: "pii" },
        { value: "secrets", label: "secrets" },
      ],
    },
  ],
  sorts: [
    { id: "name", label: "Name" },
    { id: "calls", label: "Calls" },
  ],
  defaultSort: { id: "name", dir: "asc" },
  search: { placeholder: "Search" },
  pageSize: 2,
};

const src: KeysetSource = {
  select: "t.name",
  from: "tools t",
  id: { expr: "t.id", cast: "uuid" },
  sorts: { name: { expr: "t.name", type: "text" }, calls: { expr: "t.call_count", type: "number" } },
  filters: { status: (v, b) => `t.status = ${b(v[0])}`, labels: (v, b) => `t.labels && ${b(v)}::text[]` },
  search: (q, b) => `t.name ILIKE ${b(`%${q}%`)}`,
};

describe("parseTableState", () => {
  it("keeps only known sorts, filter values and one value for select filters", () => {
    const s = parseTableState(def, { sort: "evil; drop", status: ["approved", "pending"], labels: "pii,nope,secrets", q: "  x " });
    expect(s).toEqual({ sort: { id: "name", dir: "asc" }, filters: { status: ["approved"], labels: ["pii", "secrets"] }, q: "x", cursor: null });
  });
  it("round-trips through URL parameters", () => {
    const s: TableState = { sort: { id: "calls", dir: "desc" }, filters: { labels: ["pii"] }, q: "mail", cursor: { value: "abc", direction: "after" } };
    const p = Object.fromEntries(tableStateToParams(def, s));
    expect(parseTableState(def, p)).toEqual(s);
  });
});

describe("keyset SQL", () => {
  it("binds every value and compares the (sort, id) key in the sort direction", () => {
    const state: TableState = {
      sort: { id: "calls", dir: "desc" },
      filters: { status: ["approved"] },
      q: "a'b",
      cursor: { value: encodeCursor(5, "00000000-0000-0000-0000-000000000001"), direction: "after" },
    };
    const { text, values } = buildKeysetSql(src, state, 2);
    expect(text).toContain("(t.call_count, t.id) < ($3::numeric, $4::uuid)");
    expect(text).toContain("ORDER BY t.call_count DESC, t.id DESC LIMIT 3");
    expect(values).toEqual(["approved", "%a'b%", 5, "00000000-0000-0000-0000-000000000001"]);
  });
  it("reads backwards from a `before` cursor", () => {
    const state: TableState = { sort: { id: "name", dir: "asc" }, filters: {}, q: "", cursor: { value: encodeCursor("m", "id"), direction: "before" } };
    const { text } = buildKeysetSql(src, state, 2);
    expect(text).toContain("(t.name, t.id) < ($1::text, $2::uuid)");
    expect(text).toContain("ORDER BY t.name DESC, t.id DESC");
  });
  it("searches for LIKE wildcards literally", () => {
    expect(containsPattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });
  it("ignores a malformed cursor", () => {
    expect(decodeCursor("not-base64-json")).toBeNull();
    const { text } = buildKeysetSql(src, { sort: { id: "name", dir: "asc" }, filters: {}, q: "", cursor: { value: "zzz", direction: "after" } }, 2);
    expect(text).not.toContain("::uuid)");
  });
});

describe("toPage", () => {
  const rows = (names: string[]) => names.map((n) => ({ name: n, __sort: n, __id: n }));
  it("first page: a next cursor when there are more rows, no previous", () => {
    const p = toPage(rows(["a", "b", "c"]), { sort: { id: "name", dir: "asc" }, filters: {}, q: "", cursor: null }, 2);
    expect(p.rows.map((r) => r.name)).toEqual(["a", "b"]);
    expect(decodeCursor(p.next!)).toEqual(["b", "b"]);
    expect(p.prev).toBeNull();
  });
  it("a page read backwards is reversed and always has a next page", () => {
    const state: TableState = { sort: { id: "name", dir: "asc" }, filters: {}, q: "", cursor: { value: encodeCursor("e", "e"), direction: "before" } };
    const p = toPage(rows(["d", "c", "b"]), state, 2);
    expect(p.rows.map((r) => r.name)).toEqual(["c", "d"]);
    expect(decodeCursor(p.prev!)).toEqual(["c", "c"]);
    expect(decodeCursor(p.next!)).toEqual(["d", "d"]);
  });
  it("last page: no next cursor", () => {
    const state: TableState = { sort: { id: "name", dir: "asc" }, filters: {}, q: "", cursor: { value: encodeCursor("b", "b"), direction: "after" } };
    const p = toPage(rows(["c"]), state, 2);
    expect(p.next).toBeNull();
    expect(decodeCursor(p.prev!)).toEqual(["c", "c"]);
  });
});
