/**
 * `approval` entries: a human decided a pending approval (`approval.approve`, `approval.deny`), or it
 * expired undecided (`approval.expire`, actor `system`). On the admin chain, in the transaction that
 * changed the approval. The columns repeat the gated decision's session, agent, tool and decision id.
 */
import { z } from "zod";
import { defineEntry, isoTime, role, sha256Hex, uuid } from "./define.ts";

const columns = {
  session_id: z.string(),
  agent_id: uuid,
  tool: z.string(),
  decision_id: uuid,
};

const approvalDecidedData = z.strictObject({
  approval_id: uuid,
  decision: z.enum(["approve", "deny"]),
  /** The deciding user's email and role. */
  decided_by: z.string(),
  role,
  comment: z.string().nullable(),
  /** The gated step, and the SHA-256 of the arguments the approval is bound to. */
  step: z.number().int().min(1),
  args_sha256: sha256Hex,
});

export const APPROVAL_DECIDED_ENTRY = defineEntry({
  kind: "approval",
  actions: ["approval.approve", "approval.deny"],
  data: approvalDecidedData,
  columns: { ...columns, actor: z.string().startsWith("user:"), outcome: z.enum(["approved", "denied"]) },
});

const approvalExpiredData = z.strictObject({
  approval_id: uuid,
  step: z.number().int().min(1),
  args_sha256: sha256Hex,
  expires_at: isoTime,
});

export const APPROVAL_EXPIRED_ENTRY = defineEntry({
  kind: "approval",
  actions: ["approval.expire"],
  data: approvalExpiredData,
  columns: { ...columns, actor: z.literal("system"), outcome: z.literal("expired") },
});
