/**
 * The outcome-event spool: an append-only JSONL file per gateway process (and per agent key), written
 * before an event is sent to Mandate, so that neither a Mandate restart nor a SIGKILL of the gateway
 * loses an event.
 *
 * Lines are `{"t":"e","ev":{...event}}` (an event) and `{"t":"a","ids":[...]}` (events Mandate has
 * acknowledged). Pending = events without an ack. Each write is one write(2) of a whole line, so a killed
 * process never leaves half a record in the kernel; a torn last line (power loss) is skipped on replay.
 * The file is truncated when everything in it is acknowledged, and rewritten (atomically, by rename)
 * when it grows large while events are pending.
 *
 * Files are named spool-<pid>-<random>.jsonl. On open, the files of processes that are no longer running
 * are adopted: renamed (atomically, so only one live gateway wins) to adopt-<our pid>-…, their pending
 * events copied into our own file and fsync'd, then deleted. Event ids are stable and Mandate dedupes by
 * id, so an event that is sent twice after a crash is still recorded once.
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { OutcomeEventInput } from "../lib/api/schemas.ts";

type Line = { t: "e"; ev: OutcomeEventInput } | { t: "a"; ids: string[] };

const FILE_RE = /^(?:spool|adopt)-(\d+)-[0-9a-f]+.*\.jsonl$/;
const TRUNCATE_AT = 64 * 1024;
const REWRITE_AT = 8 * 1024 * 1024;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Pending events recorded in a spool file, in order (events with an ack line are dropped). */
export function readSpoolFile(path: string): OutcomeEventInput[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const pending = new Map<string, OutcomeEventInput>();
  for (const raw of text.split("\n")) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // torn write
    }
    if (line.t === "e" && line.ev && typeof line.ev.event_id === "string") pending.set(line.ev.event_id, line.ev);
    else if (line.t === "a" && Array.isArray(line.ids)) for (const id of line.ids) pending.delete(id);
  }
  return [...pending.values()];
}

export class EventSpool {
  readonly file: string;
  private fd: number;
  private size = 0;
  private readonly pendingById = new Map<string, OutcomeEventInput>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly fsyncMode: "batch" | "always",
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `spool-${process.pid}-${randomBytes(6).toString("hex")}.jsonl`);
    this.fd = openSync(this.file, "a", 0o600);
  }

  /** Opens a new spool file in `dir` and adopts the files of dead gateway processes found there. */
  static open(dir: string, opts: { fsync?: "batch" | "always" } = {}): EventSpool {
    const spool = new EventSpool(dir, opts.fsync ?? "batch");
    spool.adoptOrphans();
    return spool;
  }

  get pendingCount(): number {
    return this.pendingById.size;
  }

  pending(): OutcomeEventInput[] {
    return [...this.pendingById.values()];
  }

  /** The oldest `n` pending events, without copying the whole backlog. */
  peek(n: number): OutcomeEventInput[] {
    const out: OutcomeEventInput[] = [];
    for (const ev of this.pendingById.values()) {
      if (out.length >= n) break;
      out.push(ev);
    }
    return out;
  }

  has(eventId: string): boolean {
    return this.pendingById.has(eventId);
  }

  /** Writes an event durably enough to survive a SIGKILL (and, with fsync "always", a power loss). */
  append(ev: OutcomeEventInput): void {
    if (this.closed) throw new Error("spool is closed");
    if (this.pendingById.has(ev.event_id)) return;
    this.write({ t: "e", ev });
    this.pendingById.set(ev.event_id, ev);
    if (this.fsyncMode === "always") fdatasyncSync(this.fd);
  }

  /** Records that Mandate has the given events; they are not sent again. */
  ack(ids: string[]): void {
    const known = ids.filter((id) => this.pendingById.has(id));
    if (known.length === 0 || this.closed) return;
    this.write({ t: "a", ids: known });
    for (const id of known) this.pendingById.delete(id);
    this.compact();
  }

  /** fdatasync without blocking the event loop (called before a batch is sent). */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const fd = this.fd;
    return new Promise((resolve) => fdatasync(fd, () => resolve()));
  }

  /** Closes the file; a spool with nothing pending is deleted, otherwise it is left for the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fdatasyncSync(this.fd);
    } catch {
      /* ignore */
    }
    closeSync(this.fd);
    if (this.pendingById.size === 0) {
      try {
        unlinkSync(this.file);
      } catch {
        /* ignore */
      }
    }
  }

  private write(line: Line): void {
    const buf = Buffer.from(JSON.stringify(line) + "\n");
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.size += buf.length;
  }

  private compact(): void {
    if (this.pendingById.size === 0 && this.size > TRUNCATE_AT) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
    } else if (this.size > REWRITE_AT) {
      const tmp = `${this.file}.tmp`;
      const fd = openSync(tmp, "w", 0o600);
      const text = [...this.pendingById.values()].map((ev) => JSON.stringify({ t: "e", ev }) + "\n").join("");
      writeSync(fd, text);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, this.file);
      closeSync(this.fd);
      this.fd = openSync(this.file, "a", 0o600);
      this.size = Buffer.byteLength(text);
    }
  }

  private adoptOrphans(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = FILE_RE.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || isProcessAlive(pid)) continue;
      const claimed = join(this.dir, `adopt-${process.pid}-${randomBytes(4).toString("hex")}-${name}`);
      try {
        renameSync(join(this.dir, name), claimed);
      } catch {
        continue; // another gateway adopted it first
      }
      for (const ev of readSpoolFile(claimed)) this.append(ev);
      fsyncSync(this.fd);
      unlinkSync(claimed);
    }
  }
}
