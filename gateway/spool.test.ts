import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventSpool, readSpoolFile } from "./spool.ts";

const ev = (n: number) => ({
  event_id: `event-${String(n).padStart(4, "0")}`,
  decision_id: "00000000-0000-4000-8000-000000000000",
  status: "success" as const,
  duration_ms: n,
});

describe("EventSpool", () => {
  it("keeps events until they are acknowledged, and ignores duplicates", () => {
    const dir = mkdtempSync(join(tmpdir(), "spool-"));
    const s = EventSpool.open(dir);
    s.append(ev(1));
    s.append(ev(2));
    s.append(ev(1));
    expect(s.pending().map((e) => e.event_id)).toEqual(["event-0001", "event-0002"]);
    s.ack(["event-0001", "unknown"]);
    expect(s.peek(10).map((e) => e.event_id)).toEqual(["event-0002"]);
    expect(readSpoolFile(s.file).map((e) => e.event_id)).toEqual(["event-0002"]);
    s.ack(["event-0002"]);
    s.close();
    expect(readdirSync(dir)).toEqual([]); // nothing pending: the file is removed
  });

  it("leaves pending events on close and a new process adopts files of dead processes", () => {
    const dir = mkdtempSync(join(tmpdir(), "spool-"));
    // A spool left by a process that no longer exists (pid 2^22+1 is above Linux's pid_max default).
    const orphan = join(dir, "spool-4194305-abcdef.jsonl");
    writeFileSync(
      orphan,
      [
        JSON.stringify({ t: "e", ev: ev(1) }),
        JSON.stringify({ t: "e", ev: ev(2) }),
        JSON.stringify({ t: "a", ids: ["event-0001"] }),
        JSON.stringify({ t: "e", ev: ev(3) }),
        '{"t":"e","ev":{"event_id":"torn', // a torn last line is skipped
      ].join("\n"),
    );
    const s = EventSpool.open(dir);
    expect(s.pending().map((e) => e.event_id)).toEqual(["event-0002", "event-0003"]);
    expect(readdirSync(dir)).toEqual([s.file.split("/").pop()]);
    s.close();
    expect(readSpoolFile(s.file).length).toBe(2);
  });

  it("does not adopt the file of a live process", () => {
    const dir = mkdtempSync(join(tmpdir(), "spool-"));
    const live = EventSpool.open(dir);
    live.append(ev(7));
    const other = EventSpool.open(dir);
    expect(other.pendingCount).toBe(0);
    expect(live.pendingCount).toBe(1);
    other.close();
    live.close();
  });

  it("truncates the file once everything is acknowledged", () => {
    const dir = mkdtempSync(join(tmpdir(), "spool-"));
    // fsync per batch, not per event: 1,000 fsyncs took seconds on a loaded disk (truncation is the point here)
    const s = EventSpool.open(dir, { fsync: "batch" });
    for (let i = 0; i < 1000; i++) s.append(ev(i));
    s.ack(s.pending().map((e) => e.event_id));
    expect(readFileSync(s.file, "utf8")).toBe("");
    s.append(ev(5000));
    expect(readSpoolFile(s.file).map((e) => e.event_id)).toEqual(["event-5000"]);
    s.close();
  });
});
