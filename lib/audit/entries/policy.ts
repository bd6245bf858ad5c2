/**
 * Admin actions on policy (`kind = 'admin'`, on the admin chain, in the transaction of the change):
 * policy versions of a store, the stores themselves, their PEP keys and directories, the replay
 * retention, and the delegation signing keys. `store` is a policy store id (`mcp` for MCP tools).
 */
import { z } from "zod";
import { count, defineEntry, isoTime, uuid } from "./define.ts";

const store = z.string();
const version = z.number().int().min(1);
const entityRef = z.strictObject({ type: z.string(), id: z.string() });

export const POLICY_PUBLISH_ENTRY = defineEntry({
  kind: "admin",
  // policy.shadow: published to run beside the active version without deciding (shadow mode).
  actions: ["policy.publish", "policy.shadow"],
  // `policies`: the number of policies in the text; absent in the first start's entry for the default policy.
  // `override_note`, `failing_tests`: published although these stored test cases failed (absent otherwise).
  data: z.strictObject({
    store,
    version,
    version_id: uuid,
    note: z.string().nullable(),
    policies: count.optional(),
    override_note: z.string().optional(),
    failing_tests: z.array(z.string()).optional(),
  }),
});

export const POLICY_DRAFT_ENTRY = defineEntry({
  kind: "admin",
  actions: ["policy.draft"],
  data: z.strictObject({ store, version, version_id: uuid }),
});

export const POLICY_VERSION_ENTRY = defineEntry({
  kind: "admin",
  // policy.rollback: `version` is active again; policy.shadow_end: the shadow version `version` stopped.
  actions: ["policy.rollback", "policy.shadow_end"],
  // `reason`: why it was rolled back (required since format 1; absent in older entries and in policy.shadow_end).
  data: z.strictObject({ store, version, reason: z.string().optional() }),
});

export const STORE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["store.create", "store.update"],
  data: z.strictObject({ store, name: z.string() }),
});

export const PEP_KEY_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["pep_key.create"],
  data: z.strictObject({ store, name: z.string(), key_id: z.string(), expires_at: isoTime.nullable() }),
});

/** A PEP key's rotation: a new key for the store, the old one (`replaces`) expiring at the overlap's end. */
export const PEP_KEY_ROTATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["pep_key.rotate"],
  data: z.strictObject({ store, name: z.string(), key_id: z.string(), expires_at: isoTime, replaces: z.string(), replaced_expires_at: isoTime }),
});

export const PEP_KEY_REVOKE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["pep_key.revoke"],
  data: z.strictObject({ store, key_id: z.string() }),
});

export const DIRECTORY_IMPORT_ENTRY = defineEntry({
  kind: "admin",
  actions: ["directory.import"],
  // `types`: the number of entities imported per entity type; `removed`: by mode "replace".
  data: z.strictObject({ store, mode: z.enum(["merge", "replace"]), imported: count, removed: count, types: z.record(z.string(), count) }),
});

export const DIRECTORY_PUT_ENTRY = defineEntry({
  kind: "admin",
  actions: ["directory.put"],
  data: z.strictObject({ store, type: z.string(), id: z.string(), parents: z.array(entityRef) }),
});

export const DIRECTORY_DELETE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["directory.delete"],
  data: z.strictObject({ store, type: z.string(), id: z.string() }),
});

export const REPLAY_RETENTION_ENTRY = defineEntry({
  kind: "admin",
  actions: ["settings.replay_retention"],
  // Days the real values of redacted arguments are kept for what-if replay (0: not kept); `deleted`: values dropped now.
  data: z.strictObject({ days: count, previous_days: count, deleted: count }),
});

export const SIGNING_KEY_ROTATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["signing_key.rotate"],
  // `kid`: the new key; `retired`: the keys it replaced (they still verify what they signed).
  data: z.strictObject({ kid: z.string(), retired: z.array(z.string()), alg: z.string() }),
});
