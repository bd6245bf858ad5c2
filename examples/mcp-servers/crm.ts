/**
 * Demo MCP server "crm": an in-memory customer database (fictional people; state resets on restart).
 * Run: npx tsx examples/mcp-servers/crm.ts
 */
import { demoCustomers, type Customer } from "./crm-data.ts";
import { requiredString, serveDemo, stringArg, stringArrayArg, ToolError, type ToolArgs } from "./serve.ts";

const CUSTOMER_URI = /^crm:\/\/customers\/([A-Za-z0-9_-]{1,40})$/;

const customers = demoCustomers();
const EXPORT_FIELDS = ["id", "name", "email", "phone", "address", "company", "plan", "created_at"] as const;
type ExportField = (typeof EXPORT_FIELDS)[number];

function publicRecord(c: Customer): Omit<Customer, "history"> & { changes: number } {
  const { history, ...rest } = c;
  return { ...rest, changes: history.length };
}

function findCustomer(args: ToolArgs): Customer {
  const id = stringArg(args, "customer_id", { max: 20 });
  const email = stringArg(args, "email", { max: 320 })?.toLowerCase();
  if (!id && !email) throw new ToolError("Give customer_id or email");
  const found = customers.find((c) => (id ? c.id === id : c.email.toLowerCase() === email));
  if (!found) throw new ToolError(`No customer with ${id ? `id ${id}` : `email ${email}`}`);
  return found;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

await serveDemo(
  "crm",
  {
    async get_customer(args) {
      return JSON.stringify(publicRecord(findCustomer(args)), null, 2);
    },

    async update_customer(args) {
      const customer = findCustomer({ customer_id: requiredString(args, "customer_id", 20) });
      const changes: Partial<Record<"email" | "phone" | "address" | "notes", string>> = {
        email: stringArg(args, "email", { max: 320 }),
        phone: stringArg(args, "phone", { max: 40 }),
        address: stringArg(args, "address", { max: 500 }),
        notes: stringArg(args, "notes", { max: 4000 }),
      };
      if (changes.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(changes.email)) {
        throw new ToolError(`Not an email address: ${changes.email}`);
      }
      const previous: Customer["history"][number]["previous"] = {};
      for (const key of ["email", "phone", "address", "notes"] as const) {
        const value = changes[key];
        if (value === undefined || value === customer[key]) continue;
        previous[key] = customer[key];
        customer[key] = value;
      }
      const changed = Object.keys(previous);
      if (changed.length === 0) return `No change to ${customer.id}`;
      customer.history.push({ at: new Date().toISOString(), previous });
      return `Updated ${customer.id} (${customer.name}): ${changed.join(", ")}`;
    },

    async export_customers(args) {
      const format = stringArg(args, "format") ?? "csv";
      if (format !== "csv" && format !== "jsonl") throw new ToolError('format must be "csv" or "jsonl"');
      const requested = stringArrayArg(args, "fields", { maxItems: EXPORT_FIELDS.length });
      const bad = requested.filter((f) => !(EXPORT_FIELDS as readonly string[]).includes(f));
      if (bad.length > 0) throw new ToolError(`Unknown field(s): ${bad.join(", ")}`);
      const fields = (requested.length > 0 ? requested : [...EXPORT_FIELDS]) as ExportField[];
      if (format === "jsonl") {
        return customers.map((c) => JSON.stringify(Object.fromEntries(fields.map((f) => [f, c[f]])))).join("\n");
      }
      const rows = customers.map((c) => fields.map((f) => csvCell(c[f])).join(","));
      return [fields.join(","), ...rows].join("\n");
    },
  },
  {
    async readResource(uri) {
      const id = CUSTOMER_URI.exec(uri)?.[1];
      const found = id ? customers.find((c) => c.id === id) : undefined;
      if (!found) throw new ToolError(`No customer at ${uri}`);
      return { text: JSON.stringify(publicRecord(found), null, 2), mimeType: "application/json" };
    },
    async getPrompt(_name, args) {
      const id = args.customer_id ?? "";
      return {
        description: `Brief on customer ${id}`,
        messages: [
          {
            role: "user",
            content: {
              type: "text",
              text: `Read crm://customers/${id} and write a three-line brief: who the customer is, their plan, and what changed recently.`,
            },
          },
        ],
      };
    },
  },
);
