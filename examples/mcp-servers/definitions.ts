/**
 * The demo MCP servers' tool definitions and their intended (admin-approved) classifications.
 * The servers in this folder serve exactly these definitions on tools/list, and the seed imports this
 * module, so what Mandate stores matches what the gateway later reports byte for byte.
 * Plain data only: no imports with side effects.
 */
import type { Effect, Risk } from "../../lib/inventory/index.ts";

export interface DemoToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
}

export interface DemoClassification {
  effect: Effect;
  risk: Risk;
  labels: string[];
  sensitiveArgs: string[];
}

export interface DemoTool {
  definition: DemoToolDefinition;
  classification: DemoClassification;
  status: "approved" | "pending";
}

/** A family of resources (resources/templates/list) or a prompt (prompts/list), served as written here. */
export interface DemoItem<D> {
  definition: D;
  classification: DemoClassification;
  status: "approved" | "pending";
}
export interface DemoResourceTemplate {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}
export interface DemoPrompt {
  name: string;
  title: string;
  description: string;
  arguments: Array<{ name: string; description: string; required: boolean }>;
}

export interface DemoServer {
  server: string;
  tools: DemoTool[];
  resourceTemplates?: Array<DemoItem<DemoResourceTemplate>>;
  prompts?: Array<DemoItem<DemoPrompt>>;
}

const relPath = {
  type: "string",
  minLength: 1,
  maxLength: 1024,
  description: 'Path relative to the sandbox root, e.g. "notes/plan.md". Absolute paths and paths leaving the sandbox are refused.',
};

export const DEMO_SERVERS: DemoServer[] = [
  {
    server: "files",
    tools: [
      {
        definition: {
          name: "read_file",
          title: "Read file",
          description: "Read a UTF-8 text file from the sandbox directory and return its contents. Files larger than max_bytes are truncated.",
          inputSchema: {
            type: "object",
            properties: {
              path: relPath,
              max_bytes: { type: "integer", minimum: 1, maximum: 1048576, default: 65536, description: "Maximum number of bytes to return" },
            },
            required: ["path"],
            additionalProperties: false,
          },
          annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "read", risk: "low", labels: [], sensitiveArgs: [] },
        status: "approved",
      },
      {
        definition: {
          name: "write_file",
          title: "Write file",
          description: "Create a text file in the sandbox directory, or replace the contents of an existing one. Parent directories are created as needed.",
          inputSchema: {
            type: "object",
            properties: {
              path: relPath,
              content: { type: "string", maxLength: 1048576, description: "The complete new contents of the file (UTF-8 text)" },
            },
            required: ["path", "content"],
            additionalProperties: false,
          },
          // Overwriting an existing file loses its previous contents: that is a destructive update in MCP terms.
          annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "write", risk: "medium", labels: [], sensitiveArgs: [] },
        status: "approved",
      },
      {
        definition: {
          name: "delete_file",
          title: "Delete file",
          description: "Delete a file from the sandbox directory. The file cannot be recovered. Directories are not deleted.",
          inputSchema: { type: "object", properties: { path: relPath }, required: ["path"], additionalProperties: false },
          annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "destructive", risk: "high", labels: [], sensitiveArgs: [] },
        status: "approved",
      },
    ],
  },
  {
    server: "crm",
    resourceTemplates: [
      {
        definition: {
          uriTemplate: "crm://customers/{id}",
          name: "customer",
          title: "Customer record",
          description: "One customer's record (name, email, phone, address, company, plan) as JSON, e.g. crm://customers/cus_1001.",
          mimeType: "application/json",
        },
        classification: { effect: "read", risk: "medium", labels: ["pii"], sensitiveArgs: [] },
        status: "approved",
      },
    ],
    prompts: [
      {
        definition: {
          name: "customer_brief",
          title: "Customer brief",
          description: "Prepare a short brief on one customer before a call: who they are, their plan and recent changes.",
          arguments: [{ name: "customer_id", description: "The customer's id, e.g. cus_1001", required: true }],
        },
        classification: { effect: "read", risk: "low", labels: [], sensitiveArgs: [] },
        status: "approved",
      },
    ],
    tools: [
      {
        definition: {
          name: "get_customer",
          title: "Get customer",
          description:
            "Look up one customer record by customer id or by email address. Returns name, email, phone, postal address, company, plan and account notes.",
          inputSchema: {
            type: "object",
            properties: {
              customer_id: { type: "string", pattern: "^cus_[0-9]{4}$", description: 'Customer id, e.g. "cus_1001"' },
              email: { type: "string", format: "email", maxLength: 320, description: "Customer email address (case-insensitive)" },
            },
            additionalProperties: false,
          },
          annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "read", risk: "medium", labels: ["pii"], sensitiveArgs: [] },
        status: "approved",
      },
      {
        definition: {
          name: "update_customer",
          title: "Update customer",
          description:
            "Update contact details or account notes of one customer. Only the given fields change; previous values are kept in the record's change history.",
          inputSchema: {
            type: "object",
            properties: {
              customer_id: { type: "string", pattern: "^cus_[0-9]{4}$", description: 'Customer id, e.g. "cus_1001"' },
              email: { type: "string", format: "email", maxLength: 320, description: "New email address" },
              phone: { type: "string", maxLength: 40, description: "New phone number" },
              address: { type: "string", maxLength: 500, description: "New postal address" },
              notes: { type: "string", maxLength: 4000, description: "New account notes (replaces the current notes)" },
            },
            required: ["customer_id"],
            additionalProperties: false,
          },
          annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "write", risk: "medium", labels: ["pii"], sensitiveArgs: [] },
        status: "approved",
      },
      {
        definition: {
          name: "export_customers",
          title: "Export customers",
          description: "Export all customer records (names, emails, phone numbers, addresses) as CSV or JSON Lines, for reporting or migration.",
          inputSchema: {
            type: "object",
            properties: {
              format: { type: "string", enum: ["csv", "jsonl"], default: "csv", description: "Output format" },
              fields: {
                type: "array",
                items: { type: "string", enum: ["id", "name", "email", "phone", "address", "company", "plan", "created_at"] },
                description: "Columns to include (default: all)",
              },
            },
            additionalProperties: false,
          },
          annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        classification: { effect: "read", risk: "high", labels: ["pii"], sensitiveArgs: [] },
        status: "pending",
      },
    ],
  },
  {
    server: "web",
    tools: [
      {
        definition: {
          name: "fetch_url",
          title: "Fetch URL",
          description:
            "Fetch a web page or document over HTTP(S) and return its text. The content comes from the open web and may contain untrusted instructions. Responses are capped at max_bytes.",
          inputSchema: {
            type: "object",
            properties: {
              url: { type: "string", format: "uri", maxLength: 2048, description: "An http:// or https:// URL" },
              max_bytes: { type: "integer", minimum: 1, maximum: 1048576, default: 262144, description: "Maximum number of bytes to read" },
            },
            required: ["url"],
            additionalProperties: false,
          },
          annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
        },
        classification: { effect: "read", risk: "low", labels: ["untrusted_content"], sensitiveArgs: [] },
        status: "approved",
      },
    ],
  },
  {
    server: "mail",
    tools: [
      {
        definition: {
          name: "send_email",
          title: "Send email",
          description: "Send an email to one or more recipients. (Demo server: the message is appended to a local outbox file and never actually delivered.)",
          inputSchema: {
            type: "object",
            properties: {
              to: { type: "array", items: { type: "string", format: "email" }, minItems: 1, maxItems: 20, description: "Recipients" },
              cc: { type: "array", items: { type: "string", format: "email" }, maxItems: 20, description: "Carbon-copy recipients" },
              subject: { type: "string", minLength: 1, maxLength: 200 },
              body: { type: "string", maxLength: 20000, description: "Plain-text message body" },
            },
            required: ["to", "subject", "body"],
            additionalProperties: false,
          },
          annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        },
        classification: { effect: "side_effect", risk: "medium", labels: ["external_comm"], sensitiveArgs: [] },
        status: "approved",
      },
    ],
  },
];

/** The definitions of one demo server (throws on an unknown server name). */
export function demoServer(server: string): DemoServer {
  const found = DEMO_SERVERS.find((s) => s.server === server);
  if (!found) throw new Error(`unknown demo server ${server}`);
  return found;
}
