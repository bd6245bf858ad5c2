/**
 * Leak reports (issue 20 §2): `POST /api/v1/keys/report-leak` in GitHub's secret-scanning partner format.
 * A report is a JSON array of `{token, type, url, source}`; it comes either signed by GitHub (ECDSA P-256
 * with SHA-256 over the raw body, base64 DER in `Github-Public-Key-Signature`, the key named by
 * `Github-Public-Key-Identifier`, verified with the keys of MANDATE_LEAK_REPORT_KEYS) or with an admin's
 * token. Every reported Mandate key that exists is revoked in one admin action (so it is refused on this
 * node before the answer, on every node within the change feed's bound), each with a `key.leak_revoke`
 * audit entry saying where it was found; the owner is told through the webhook (MANDATE_APPROVAL_WEBHOOK)
 * and the console's NHI inventory. The answer is GitHub's: `[{token_hash, token_type, label}]`.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import { KEY_LEAK_ENTRY } from "../audit/entries/index.ts";
import { hashCredential, keyKind } from "../crypto/keys.ts";
import { env } from "../env.ts";
import { MandateError, unauthorized } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { enqueueEventNotification } from "../approvals/deliveries.ts";

export const leakReportSchema = z
  .array(
    // GitHub may add members: they are not read (only these are).
    z.object({
      token: z.string().min(1).max(1000),
      type: z.string().max(200).optional(),
      url: z.string().max(4000).optional(),
      source: z.string().max(200).optional(),
    }),
  )
  .min(1)
  .max(1000);
export type LeakReport = z.infer<typeof leakReportSchema>;

export interface LeakLabel {
  token_hash: string;
  token_type: string;
  label: "true_positive" | "false_positive";
}

// ------------------------------------------------------------------------------------------------
// GitHub's public keys
// ------------------------------------------------------------------------------------------------
const publicKeysSchema = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1), is_current: z.boolean().optional() })),
});
const REFETCH_MS = 30_000;
let keyCache: { at: number; keys: Map<string, KeyObject>; source: string } | null = null;

async function loadKeys(source: string): Promise<Map<string, KeyObject>> {
  const text = /^https?:\/\//.test(source)
    ? await fetch(source, { signal: AbortSignal.timeout(5000), headers: { accept: "application/json" } }).then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.text();
      })
    : await readFile(source, "utf8");
  const parsed = publicKeysSchema.parse(JSON.parse(text));
  return new Map(parsed.public_keys.map((k) => [k.key_identifier, createPublicKey(k.key)]));
}

/** The key named `id`: the cached set, fetched again on a miss at most every REFETCH_MS. */
async function reporterKey(id: string): Promise<KeyObject | null> {
  const source = env().MANDATE_LEAK_REPORT_KEYS;
  if (!source) return null;
  const now = Date.now();
  if (!keyCache || keyCache.source !== source || (!keyCache.keys.has(id) && now - keyCache.at > REFETCH_MS)) {
    try {
      keyCache = { at: now, keys: await loadKeys(source), source };
    } catch (err) {
      throw new MandateError(503, "leak_report_keys_unavailable", `the leak-report signing keys could not be loaded: ${(err as Error).message}`);
    }
  }
  return keyCache.keys.get(id) ?? null;
}

/** Verifies a GitHub-signed report; throws 401 with the reason otherwise. */
export async function verifyGithubSignature(raw: Buffer, keyId: string, signature: string): Promise<void> {
  if (!env().MANDATE_LEAK_REPORT_KEYS) throw unauthorized("signed leak reports are not accepted here: MANDATE_LEAK_REPORT_KEYS is not set");
  const key = await reporterKey(keyId);
  if (!key) throw unauthorized(`unknown leak-report signing key ${keyId.slice(0, 200)}`);
  let ok = false;
  try {
    ok = verify("sha256", raw, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    ok = false;
  }
  if (!ok) throw unauthorized("the leak report's signature does not verify");
}

// ------------------------------------------------------------------------------------------------
// Revocation
// ------------------------------------------------------------------------------------------------
type Found = {
  kind: "agent_key" | "personal_token" | "pep_key";
  keyId: string;
  hash: string;
  owner: string;
  agentId: string | null;
  ownerEmail: string | null;
  alreadyRevoked: boolean;
};

const TYPE_NAME = { agent_key: "mandate_agent_key", personal_token: "mandate_personal_token", pep_key: "mandate_pep_key" } as const;

/**
 * Revokes every reported key that is a Mandate key (shape and checksum) and exists, and labels each
 * report: `true_positive` for a key of this deployment (revoked now or before), `false_positive` for
 * anything else (a look-alike, a key of another deployment, a federated access token: they live minutes).
 */
export async function reportLeaks(rt: NodeContext, report: LeakReport, reporter: string): Promise<LeakLabel[]> {
  const hashes = report.map((r) => hashCredential(r.token));
  const candidates = new Set(report.flatMap((r, i) => (keyKind(r.token) && keyKind(r.token) !== "agent_token" ? [hashes[i]] : [])));
  const found = await adminAction(rt, async (tx) => {
    const byHash = new Map<string, Found>();
    if (candidates.size) {
      const list = [...candidates];
      // Locked and revoked in this transaction: the audit entry and the revocation commit together.
      const ak = await tx.query<{ key_id: string; key_hash: string; revoked_at: Date | null; agent_id: string; name: string; email: string | null }>(
        `WITH old AS (SELECT id, revoked_at FROM agent_keys WHERE key_hash = ANY($1) FOR UPDATE)
         UPDATE agent_keys k SET revoked_at = COALESCE(old.revoked_at, now()) FROM old, agents a LEFT JOIN users u ON u.id = a.owner_id
          WHERE k.id = old.id AND a.id = k.agent_id
          RETURNING k.key_id, k.key_hash, old.revoked_at, a.id AS agent_id, a.name, u.email`,
        [list],
      );
      for (const r of ak.rows)
        byHash.set(r.key_hash, {
          kind: "agent_key",
          keyId: r.key_id,
          hash: r.key_hash,
          owner: r.name,
          agentId: r.agent_id,
          ownerEmail: r.email,
          alreadyRevoked: r.revoked_at !== null,
        });
      const pt = await tx.query<{ key_id: string; token_hash: string; revoked_at: Date | null; email: string }>(
        `WITH old AS (SELECT id, revoked_at FROM api_tokens WHERE token_hash = ANY($1) FOR UPDATE)
         UPDATE api_tokens t SET revoked_at = COALESCE(old.revoked_at, now()) FROM old, users u
          WHERE t.id = old.id AND u.id = t.user_id
          RETURNING t.key_id, t.token_hash, old.revoked_at, u.email`,
        [list],
      );
      for (const r of pt.rows)
        byHash.set(r.token_hash, {
          kind: "personal_token",
          keyId: r.key_id,
          hash: r.token_hash,
          owner: r.email,
          agentId: null,
          ownerEmail: r.email,
          alreadyRevoked: r.revoked_at !== null,
        });
      const pk = await tx.query<{ key_id: string; key_hash: string; revoked_at: Date | null; store_id: string }>(
        `WITH old AS (SELECT id, revoked_at FROM pep_keys WHERE key_hash = ANY($1) FOR UPDATE)
         UPDATE pep_keys k SET revoked_at = COALESCE(old.revoked_at, now()) FROM old
          WHERE k.id = old.id
          RETURNING k.key_id, k.key_hash, old.revoked_at, k.store_id`,
        [list],
      );
      for (const r of pk.rows)
        byHash.set(r.key_hash, {
          kind: "pep_key",
          keyId: r.key_id,
          hash: r.key_hash,
          owner: r.store_id,
          agentId: null,
          ownerEmail: null,
          alreadyRevoked: r.revoked_at !== null,
        });
    }
    const audit: AdminAudit[] = [];
    const seen = new Set<string>();
    report.forEach((r, i) => {
      const f = byHash.get(hashes[i]);
      if (!f || seen.has(f.hash)) return;
      seen.add(f.hash);
      audit.push(
        KEY_LEAK_ENTRY.entry({
          action: "key.leak_revoke",
          actor: reporter,
          agent_id: f.agentId,
          data: {
            key_id: f.keyId,
            kind: f.kind,
            owner: f.owner,
            reporter,
            token_type: r.type ?? null,
            url: r.url ?? null,
            source: r.source ?? null,
            already_revoked: f.alreadyRevoked,
          },
        }),
      );
    });
    return { result: byHash, audit };
  });
  // Caches of this node's other processes (as revokeAgentKey does); other nodes: the change feed.
  for (const f of found.values()) if (f.kind !== "pep_key") await rt.applyChange(f.kind === "agent_key" ? "agent_keys" : "api_tokens", f.hash);
  const notified = new Set<string>();
  report.forEach((r, i) => {
    const f = found.get(hashes[i]);
    if (!f || notified.has(f.hash) || f.alreadyRevoked) return;
    notified.add(f.hash);
    void enqueueEventNotification("key.leaked", {
      key_id: f.keyId,
      kind: f.kind,
      owner: f.owner,
      owner_email: f.ownerEmail,
      reporter,
      url: r.url ?? null,
      source: r.source ?? null,
    }).catch(() => {});
  });
  return report.map((r, i) => {
    const f = found.get(hashes[i]);
    return { token_hash: hashes[i], token_type: r.type ?? (f ? TYPE_NAME[f.kind] : "unknown"), label: f ? "true_positive" : "false_positive" };
  });
}
