/**
 * First start on an empty database: the admin user, demo agents with keys, the demo inventory
 * (examples/mcp-servers/definitions.ts, so the demo servers' tools/list matches what is stored) and the
 * default policy. Runs once even when several nodes start at once (advisory lock + a marker setting).
 * Returns the one-time credentials, or null when the database was already seeded.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { DEMO_SERVERS } from "../../examples/mcp-servers/definitions.ts";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { newCredential, newPassword } from "../crypto/keys.ts";
import { hashPassword } from "../identity/users.ts";
import { definitionHash, itemDefinitionHash, promptDefinitionFields, resourceDefinitionFields } from "../inventory/definition-hash.ts";
import { itemKey } from "../inventory/item-key.ts";
import { suggestClassification, suggestReadClassification } from "../inventory/suggest-classification.ts";
import { DEFAULT_MCP_POLICY } from "../policy/default-policy.ts";
import { ensureStore, MCP_STORE_ID, validateForStore } from "../policy/publish.ts";
import {
  AGENT_CREATE_ENTRY,
  INVENTORY_NEW_ENTRY,
  KEY_CREATE_ENTRY,
  POLICY_PUBLISH_ENTRY,
  TOOL_APPROVE_ENTRY,
  USER_CREATE_ENTRY,
} from "../audit/entries/index.ts";

const SEED_LOCK = 727_274_002;
export const DEMO_ADMIN_EMAIL = "admin@mandate.local";

export interface InitialCredentials {
  admin: { email: string; password: string };
  agents: Array<{ name: string; api_key: string }>;
}

const DEMO_AGENTS = [
  { name: "support-assistant", team: "support", description: "Customer-support agent: reads CRM records, drafts replies, researches the web." },
  { name: "ops-agent", team: "platform", description: "Operations agent with file access to the shared workspace." },
  { name: "research-subagent", team: "support", description: "Sub-agent that the support assistant delegates web research to." },
];

async function seedInTx(tx: pg.PoolClient, actor: string): Promise<{ creds: InitialCredentials; audit: AdminAudit[] }> {
  const audit: AdminAudit[] = [];
  const password = newPassword();
  const adminId = randomUUID();
  await tx.query(`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, 'Mandate Admin', 'admin', $3, now())`, [
    adminId,
    DEMO_ADMIN_EMAIL,
    await hashPassword(password),
  ]);
  audit.push(USER_CREATE_ENTRY.entry({ actor, data: { user_id: adminId, email: DEMO_ADMIN_EMAIL, role: "admin" } }));

  const agents: InitialCredentials["agents"] = [];
  for (const a of DEMO_AGENTS) {
    const id = randomUUID();
    const cred = newCredential("agent_key");
    const expires = new Date(Date.now() + 90 * 86_400_000);
    await tx.query(`INSERT INTO agents (id, name, owner_id, team, description, environment, created_at) VALUES ($1, $2, $3, $4, $5, 'demo', now())`, [
      id,
      a.name,
      adminId,
      a.team,
      a.description,
    ]);
    await tx.query(`INSERT INTO agent_keys (id, agent_id, key_id, key_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, now(), $5)`, [
      randomUUID(),
      id,
      cred.keyId,
      cred.hash,
      expires,
    ]);
    audit.push(AGENT_CREATE_ENTRY.entry({ actor, agent_id: id, data: { agent_id: id, name: a.name, team: a.team } }));
    audit.push(KEY_CREATE_ENTRY.entry({ actor, agent_id: id, data: { agent_id: id, name: a.name, key_id: cred.keyId, expires_at: expires.toISOString() } }));
    agents.push({ name: a.name, api_key: cred.secret });
  }

  for (const srv of DEMO_SERVERS) {
    const serverId = randomUUID();
    await tx.query(`INSERT INTO tool_servers (id, name, created_at, last_seen_at) VALUES ($1, $2, now(), now())`, [serverId, srv.server]);
    for (const t of srv.tools) {
      const id = randomUUID();
      const def = t.definition;
      const hash = definitionHash(def);
      const approved = t.status === "approved";
      const c = t.classification;
      await tx.query(
        `INSERT INTO tools (id, server_id, name, title, description, input_schema, annotations, definition_hash, status, effect, risk, labels,
                            sensitive_args, suggestion, decided_by, decided_at, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now(), now())`,
        [
          id,
          serverId,
          def.name,
          def.title ?? null,
          def.description,
          JSON.stringify(def.inputSchema),
          JSON.stringify(def.annotations),
          hash,
          t.status,
          approved ? c.effect : null,
          approved ? c.risk : null,
          approved ? c.labels : [],
          approved ? c.sensitiveArgs : [],
          JSON.stringify(suggestClassification(def)),
          approved ? actor : null,
          approved ? new Date() : null,
        ],
      );
      await tx.query(`INSERT INTO tool_definition_versions (id, tool_id, definition_hash, definition, seen_at) VALUES ($1, $2, $3, $4, now())`, [
        randomUUID(),
        id,
        hash,
        JSON.stringify(def),
      ]);
      const tool = `${srv.server}/${def.name}`;
      audit.push(
        approved
          ? TOOL_APPROVE_ENTRY.entry({ actor, tool, data: { tool_id: id, classification: c } })
          : INVENTORY_NEW_ENTRY.entry({ actor, tool, data: { tool_id: id, classification: null } }),
      );
    }
    // Resource families and prompts, hashed and stored exactly as an inventory report of the live server stores them.
    const items = [
      ...(srv.resourceTemplates ?? []).map((r) => ({
        kind: "resource" as const,
        name: r.definition.uriTemplate,
        item: r,
        fields: resourceDefinitionFields({ ...r.definition }),
      })),
      ...(srv.prompts ?? []).map((p) => ({ kind: "prompt" as const, name: p.definition.name, item: p, fields: promptDefinitionFields({ ...p.definition }) })),
    ];
    for (const { kind, name, item, fields } of items) {
      const id = randomUUID();
      const hash = itemDefinitionHash(fields);
      const approved = item.status === "approved";
      const c = item.classification;
      const d = item.definition as { title: string; description: string; arguments?: Array<{ name: string }> };
      const inputSchema =
        kind === "resource"
          ? { type: "object", properties: { uri: { type: "string" } } }
          : { type: "object", properties: Object.fromEntries((d.arguments ?? []).map((a) => [a.name, { type: "string" }])) };
      await tx.query(
        `INSERT INTO tools (id, server_id, kind, name, title, description, input_schema, definition_hash, status, effect, risk, labels,
                            sensitive_args, suggestion, decided_by, decided_at, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now(), now())`,
        [
          id,
          serverId,
          kind,
          name,
          d.title,
          d.description,
          JSON.stringify(inputSchema),
          hash,
          item.status,
          approved ? c.effect : null,
          approved ? c.risk : null,
          approved ? c.labels : [],
          approved ? c.sensitiveArgs : [],
          JSON.stringify(
            suggestReadClassification(kind, {
              name: kind === "resource" ? (fields.name as string) : name,
              uri: kind === "resource" ? name : undefined,
              title: d.title,
              description: d.description,
            }),
          ),
          approved ? actor : null,
          approved ? new Date() : null,
        ],
      );
      await tx.query(`INSERT INTO tool_definition_versions (id, tool_id, definition_hash, definition, seen_at) VALUES ($1, $2, $3, $4, now())`, [
        randomUUID(),
        id,
        hash,
        JSON.stringify(fields),
      ]);
      const key = itemKey(kind, srv.server, name);
      audit.push(
        approved
          ? TOOL_APPROVE_ENTRY.entry({ actor, tool: key, data: { tool_id: id, classification: c } })
          : INVENTORY_NEW_ENTRY.entry({ actor, tool: key, data: { tool_id: id, classification: null } }),
      );
    }
  }

  await ensureStore(tx, MCP_STORE_ID, "MCP tool governance", "Decides what agents may do with MCP tools (the default store).");
  const versionId = randomUUID();
  await tx.query(
    `INSERT INTO policy_versions (id, store_id, version, text, status, author, note, tests, created_at, published_at, published_by)
     VALUES ($1, $2, 1, $3, 'active', $4, 'default policy set', '[]', now(), now(), $4)`,
    [versionId, MCP_STORE_ID, DEFAULT_MCP_POLICY, actor],
  );
  audit.push(
    POLICY_PUBLISH_ENTRY.entry({
      action: "policy.publish",
      actor,
      data: { store: MCP_STORE_ID, version: 1, version_id: versionId, note: "default policy set" },
    }),
  );
  await tx.query(`INSERT INTO settings (key, value, updated_at) VALUES ('seeded', $1, now())`, [JSON.stringify({ at: new Date().toISOString() })]);
  return { creds: { admin: { email: DEMO_ADMIN_EMAIL, password }, agents }, audit };
}

export async function seedIfEmpty(rt: NodeContext, lockClient: pg.ClientBase, actor = "system:seed"): Promise<InitialCredentials | null> {
  await lockClient.query("SELECT pg_advisory_lock($1)", [SEED_LOCK]);
  try {
    const done = await lockClient.query(`SELECT 1 FROM settings WHERE key = 'seeded'`);
    if (done.rowCount) return null;
    const creds = await adminAction(rt, async (tx) => {
      const { creds, audit } = await seedInTx(tx, actor);
      return { result: creds, audit };
    });
    // The seeded policy must validate against the seeded inventory's schema (a broken default would
    // fail every decision closed): check it loudly.
    const v = await validateForStore(MCP_STORE_ID, DEFAULT_MCP_POLICY);
    if (!v.valid) throw new Error(`default policy does not validate: ${v.problems.map((p) => p.message).join("; ")}`);
    return creds;
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]);
  }
}
