/**
 * A real HTTP event collector for the sink tests (node:http): takes webhook NDJSON, Splunk HEC and
 * OTLP/HTTP JSON logs on one port, checks each kind's credentials (webhook HMAC signature, HEC `Splunk`
 * token, OTLP bearer), and records every event it acknowledged, by path, in arrival order. It can be
 * killed (every connection destroyed, nothing answered) and brought back on the same port, and told to
 * refuse (400) any batch that holds an event of a given action.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";

export interface Received {
  id: string;
  chain: string;
  seq: number;
  action: string;
  event: Record<string, any>;
}

export class Collector {
  readonly got = new Map<string, Received[]>();
  /** Batches answered, by path and status. */
  readonly answered: Array<{ path: string; status: number; n: number }> = [];
  refuseAction: string | null = null;
  private server: http.Server | null = null;
  private sockets = new Set<Socket>();

  constructor(
    private readonly secrets: { webhook: string; hec: string; otlp: string },
    public port = 0,
  ) {}

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.take(req, res, Buffer.concat(chunks)));
    });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(this.port, "127.0.0.1", () => r()));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /** The receiver dies: the listener closes and every open connection is destroyed unanswered. */
  async kill(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Unique events of a path (by id), in the order of their first arrival. */
  unique(path: string): Received[] {
    const seen = new Set<string>();
    return (this.got.get(path) ?? []).filter((r) => !seen.has(r.id) && seen.add(r.id));
  }

  private parse(path: string, body: Buffer): Received[] {
    const text = body.toString("utf8");
    const fromOcsf = (ev: Record<string, any>): Received => ({
      id: ev.metadata.uid,
      chain: ev.unmapped.mandate.chain_id,
      seq: ev.unmapped.mandate.seq,
      action: ev.unmapped.mandate.action,
      event: ev,
    });
    if (path === "/v1/logs") {
      const logs = JSON.parse(text).resourceLogs[0].scopeLogs[0].logRecords as Array<{
        body: { stringValue: string };
        attributes: Array<{ key: string; value: any }>;
      }>;
      return logs.map((l) => {
        const r = fromOcsf(JSON.parse(l.body.stringValue));
        if (l.attributes[0].value.stringValue !== r.id) throw new Error("event.id attribute differs from metadata.uid");
        return r;
      });
    }
    const lines = text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
    if (path.startsWith("/hec")) {
      return lines.map((l) => {
        const r = fromOcsf(l.event);
        if (l.fields.event_id !== r.id) throw new Error("HEC fields.event_id differs from metadata.uid");
        return r;
      });
    }
    return lines.map(fromOcsf);
  }

  private authorized(path: string, req: http.IncomingMessage, body: Buffer): boolean {
    if (path === "/v1/logs") return req.headers.authorization === `Bearer ${this.secrets.otlp}`;
    if (path.startsWith("/hec")) return req.headers.authorization === `Splunk ${this.secrets.hec}`;
    const sig = `sha256=${createHmac("sha256", this.secrets.webhook).update(body).digest("hex")}`;
    return req.headers["x-mandate-signature"] === sig && typeof req.headers["idempotency-key"] === "string";
  }

  private take(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const answer = (status: number, n: number, text = "") => {
      this.answered.push({ path, status, n });
      res.writeHead(status, { "content-type": "text/plain" }).end(text);
    };
    if (!this.authorized(path, req, body)) return answer(401, 0, "bad credentials");
    let events: Received[];
    try {
      events = this.parse(path, body);
    } catch (err) {
      return answer(400, 0, (err as Error).message);
    }
    if (this.refuseAction && events.some((e) => e.action === this.refuseAction)) return answer(400, events.length, `refusing ${this.refuseAction}`);
    this.got.set(path, [...(this.got.get(path) ?? []), ...events]);
    answer(200, events.length, "ok");
  }
}
