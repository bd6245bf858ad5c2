/**
 * Audit sinks: add, list, remove (admin actions, audited), their delivery status and dead letters, and a
 * test send of one synthetic event. The API (lib/http/routes/sinks.ts), the CLI (cli/sinks.ts) and the
 * console call these. A sink's token is stored encrypted under the master key and never returned.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { SINK_CREATE_ENTRY, SINK_REMOVE_ENTRY } from "../audit/entries/index.ts";
import { decryptSecret, encryptSecret } from "../crypto/master-key.ts";
import { getPool } from "../db/pool.ts";
import { badRequest, MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { encode, itemOf, type SinkFormat, type SinkKind } from "./encode.ts";
import { toOcsf, type SinkEntry } from "./ocsf/map.ts";
import { SINK_FORMATS, SINK_KINDS } from "./kinds.ts";
import { send, syslogAddress, type SendResult, type Target } from "./transport.ts";

export { SINK_KINDS };

const httpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
};

export const newSinkSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, "lowercase letters, digits, _ . - (at most 63, starting with a letter or digit)"),
    kind: z.enum(SINK_KINDS),
    format: z.enum(SINK_FORMATS).default("ocsf"),
    endpoint: z.string().min(1).max(2000),
    /** HEC and OTLP: the receiver's token (Authorization); webhook: the key of the X-Mandate-Signature HMAC. */
    token: z.string().min(1).max(4096).optional(),
    /** PEM of the CA that signed a TLS receiver's certificate (https or tls://), when it is not a public one. */
    ca: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM certificate" }).max(65_536).optional(),
    /** `now` (default): the entries written from now on; `start`: every stored entry too. */
    from: z.enum(["now", "start"]).default("now"),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === "syslog" ? !syslogAddress(s.endpoint) : !httpUrl(s.endpoint))
      ctx.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: s.kind === "syslog" ? "must be tcp://host:port or tls://host:port" : "must be an http(s) URL",
      });
    if (s.format === "cef" && s.kind !== "syslog") ctx.addIssue({ code: "custom", path: ["format"], message: "cef is for syslog sinks only" });
  });
export type NewSink = z.input<typeof newSinkSchema>;

export interface SinkView {
  id: string;
  name: string;
  kind: SinkKind;
  format: SinkFormat;
  endpoint: string;
  has_token: boolean;
  enabled: boolean;
  created_by: string;
  created_at: string;
  delivered: number;
  last_delivered_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  /** Entries written and not yet acknowledged by the receiver, over every chain. */
  lag: number;
  /** When the oldest entry not yet acknowledged was written (null: none behind), and its age in seconds (0: none). */
  oldest_undelivered_at: string | null;
  oldest_undelivered_seconds: number;
  dead_letters: number;
  /** The node delivering it now (its lease), or null. */
  delivering_node: string | null;
  /** The sink's position on every chain with entries, newest chain first. */
  cursors: SinkCursor[];
}

/** The endpoint as shown and audited: without user information, query or fragment. */
export function shownEndpoint(endpoint: string): string {
  if (syslogAddress(endpoint)) return endpoint;
  const u = new URL(endpoint);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export async function createSink(ctx: NodeContext, input: NewSink, actor: string): Promise<SinkView> {
  const p = newSinkSchema.safeParse(input);
  if (!p.success) throw badRequest("invalid_request", p.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  const s = p.data;
  const id = randomUUID();
  await adminAction(ctx, async (tx) => {
    const taken = await tx.query("SELECT 1 FROM audit_sinks WHERE name = $1", [s.name]);
    if (taken.rowCount) throw new MandateError(409, "conflict", `a sink named ${s.name} exists`);
    await tx.query(`INSERT INTO audit_sinks (id, name, kind, format, endpoint, secret_enc, options, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      id,
      s.name,
      s.kind,
      s.format,
      s.endpoint,
      s.token ? encryptSecret(s.token) : null,
      JSON.stringify(s.ca ? { ca: s.ca } : {}),
      actor,
    ]);
    // From now: every chain's cursor at its head (one index probe per chain); a chain that starts later
    // has no cursor and is delivered from its first entry. This entry is appended after, so it is the
    // first event the sink receives.
    if (s.from === "now")
      await tx.query(
        `INSERT INTO audit_sink_cursors (sink_id, chain_id, last_seq)
         SELECT $1, c.id, h.seq FROM audit_chains c CROSS JOIN LATERAL (SELECT max(seq) AS seq FROM audit_entries e WHERE e.chain_id = c.id) h
         WHERE h.seq IS NOT NULL`,
        [id],
      );
    const data = { sink_id: id, name: s.name, kind: s.kind, format: s.format, endpoint: shownEndpoint(s.endpoint), from: s.from };
    return { result: null, audit: SINK_CREATE_ENTRY.entry({ actor, data }) };
  });
  return (await listSinks(s.name))[0];
}

export async function removeSink(ctx: NodeContext, name: string, actor: string): Promise<{ name: string; removed: true }> {
  await adminAction(ctx, async (tx) => {
    const r = await tx.query<{ id: string }>("DELETE FROM audit_sinks WHERE name = $1 RETURNING id", [name]);
    if (!r.rowCount) throw notFound(`sink ${name}`);
    return { result: null, audit: SINK_REMOVE_ENTRY.entry({ actor, data: { sink_id: r.rows[0].id, name } }) };
  });
  return { name, removed: true };
}

const iso = (v: Date | null) => (v ? v.toISOString() : null);

/** An audit_sinks row as PostgreSQL returns it. */
interface SinkRow {
  id: string;
  name: string;
  kind: SinkKind;
  format: SinkFormat;
  endpoint: string;
  secret_enc: string | null;
  options: { ca?: string };
  enabled: boolean;
  created_by: string;
  created_at: Date;
  lease_owner: string | null;
  delivered: string;
  last_delivered_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

/** Where a sink's cursor is on one audit chain: the last seq the receiver acknowledged, and the chain's head. */
export interface SinkCursor {
  chain_id: string;
  node: string;
  last_seq: number;
  head_seq: number;
}

type ListedRow = SinkRow & {
  has_token: boolean;
  dead_letters: number;
  lag: string;
  leased: boolean;
  oldest_undelivered_at: Date | null;
  oldest_age: number | null;
  cursors: SinkCursor[];
};

/**
 * Every sink (or the one named), with its cursor on every chain that has entries, its lag (entries past
 * the cursors), the age of its oldest undelivered entry, and its dead-letter count. One index probe per
 * sink and chain for the heads and one for each chain behind (its next entry's time).
 */
export async function listSinks(name?: string): Promise<SinkView[]> {
  const r = await getPool().query<ListedRow>(
    `WITH heads AS (
       SELECT c.id AS chain_id, c.node, c.started_at, h.seq AS head
       FROM audit_chains c CROSS JOIN LATERAL (SELECT max(seq) AS seq FROM audit_entries e WHERE e.chain_id = c.id) h
       WHERE h.seq IS NOT NULL),
     sel AS (SELECT * FROM audit_sinks s WHERE ($1::text IS NULL OR s.name = $1)),
     per AS (
       SELECT s.id AS sink_id, hd.chain_id, hd.node, hd.started_at, hd.head, COALESCE(k.last_seq, 0) AS last_seq,
         CASE WHEN hd.head > COALESCE(k.last_seq, 0) THEN
           (SELECT e.created_at FROM audit_entries e WHERE e.chain_id = hd.chain_id AND e.seq > COALESCE(k.last_seq, 0) ORDER BY e.seq LIMIT 1)
         END AS next_at
       FROM sel s CROSS JOIN heads hd LEFT JOIN audit_sink_cursors k ON k.sink_id = s.id AND k.chain_id = hd.chain_id)
     SELECT s.*, (s.secret_enc IS NOT NULL) AS has_token,
       (SELECT count(*) FROM audit_sink_dead_letters d WHERE d.sink_id = s.id)::int AS dead_letters,
       COALESCE((SELECT sum(GREATEST(p.head - p.last_seq, 0)) FROM per p WHERE p.sink_id = s.id), 0)::int8 AS lag,
       o.at AS oldest_undelivered_at, extract(epoch FROM now() - o.at)::float8 AS oldest_age,
       (SELECT COALESCE(json_agg(json_build_object('chain_id', p.chain_id, 'node', p.node, 'last_seq', p.last_seq, 'head_seq', p.head)
          ORDER BY p.started_at DESC, p.chain_id), '[]') FROM per p WHERE p.sink_id = s.id) AS cursors,
       (s.lease_until > now()) AS leased
     FROM sel s CROSS JOIN LATERAL (SELECT min(p.next_at) AS at FROM per p WHERE p.sink_id = s.id) o
     ORDER BY s.name`,
    [name ?? null],
  );
  return r.rows.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
    format: s.format,
    endpoint: shownEndpoint(s.endpoint),
    has_token: s.has_token,
    enabled: s.enabled,
    created_by: s.created_by,
    created_at: s.created_at.toISOString(),
    delivered: Number(s.delivered),
    last_delivered_at: iso(s.last_delivered_at),
    last_error: s.last_error,
    last_error_at: iso(s.last_error_at),
    lag: Number(s.lag),
    oldest_undelivered_at: iso(s.oldest_undelivered_at),
    oldest_undelivered_seconds: s.oldest_age === null ? 0 : Math.max(0, s.oldest_age),
    dead_letters: s.dead_letters,
    delivering_node: s.leased && s.lease_owner ? s.lease_owner.replace(/#.*$/, "") : null,
    cursors: s.cursors.map((c) => ({ chain_id: c.chain_id, node: c.node, last_seq: Number(c.last_seq), head_seq: Number(c.head_seq) })),
  }));
}

export async function getSink(name: string): Promise<SinkView> {
  const [s] = await listSinks(name);
  if (!s) throw notFound(`sink ${name}`);
  return s;
}

export interface DeadLetterView {
  event_id: string;
  chain_id: string;
  seq: number;
  error: string;
  attempts: number;
  first_attempt_at: string;
  last_attempt_at: string;
}

export async function deadLetters(name: string, limit = 100): Promise<DeadLetterView[]> {
  const s = await getSink(name);
  type DeadRow = { event_id: string; chain_id: string; seq: string; error: string; attempts: number; first_attempt_at: Date; last_attempt_at: Date };
  const r = await getPool().query<DeadRow>(`SELECT * FROM audit_sink_dead_letters WHERE sink_id = $1 ORDER BY last_attempt_at DESC, chain_id, seq LIMIT $2`, [
    s.id,
    Math.min(Math.max(limit, 1), 1000),
  ]);
  return r.rows.map((d) => ({
    event_id: d.event_id,
    chain_id: d.chain_id,
    seq: Number(d.seq),
    error: d.error,
    attempts: d.attempts,
    first_attempt_at: d.first_attempt_at.toISOString(),
    last_attempt_at: d.last_attempt_at.toISOString(),
  }));
}

/** The stored sink as the deliverer needs it (token decrypted). */
export interface StoredSink {
  id: string;
  name: string;
  kind: SinkKind;
  format: SinkFormat;
  target: Target;
}

export type { SinkRow };

export function storedSink(row: {
  id: string;
  name: string;
  kind: SinkKind;
  format: SinkFormat;
  endpoint: string;
  secret_enc: string | null;
  options: { ca?: string };
}): StoredSink {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    format: row.format,
    target: { kind: row.kind, endpoint: row.endpoint, secret: row.secret_enc ? decryptSecret(row.secret_enc) : null, ca: row.options?.ca },
  };
}

/** Sends one synthetic event (`sink.test`, chain id all zeros, seq 0) and reports the receiver's answer. Nothing is recorded. */
export async function testSink(name: string, host: string): Promise<SendResult & { event_id: string }> {
  const r = await getPool().query<SinkRow>("SELECT * FROM audit_sinks WHERE name = $1", [name]);
  if (!r.rowCount) throw notFound(`sink ${name}`);
  const sink = storedSink(r.rows[0]);
  const entry: SinkEntry = {
    chain_id: "00000000-0000-0000-0000-000000000000",
    seq: 0,
    kind: "admin",
    action: "sink.test",
    actor: "system",
    session_id: null,
    step: null,
    agent_id: null,
    tool: null,
    outcome: null,
    decision_id: null,
    created_at: new Date().toISOString(),
    hash: "0".repeat(64),
    data: { sink_id: sink.id, name: sink.name },
  };
  const item = itemOf(entry, toOcsf(entry));
  const res = await send(sink.target, encode(sink.kind, sink.format, [item], host));
  return { ...res, event_id: item.id };
}
