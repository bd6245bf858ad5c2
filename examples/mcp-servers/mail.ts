/**
 * Demo MCP server "mail": "sends" email by appending it to an outbox JSONL file. Nothing is delivered.
 *   DEMO_MAIL_OUTBOX  outbox file (default: <tmp>/mandate-demo-mail/outbox.jsonl)
 *   DEMO_MAIL_FROM    sender address (default: assistant@mandate-demo.example)
 * Run: npx tsx examples/mcp-servers/mail.ts
 */
import { randomUUID } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { requiredString, serveDemo, stringArrayArg, ToolError } from "./serve.ts";

const outbox = process.env.DEMO_MAIL_OUTBOX || join(tmpdir(), "mandate-demo-mail", "outbox.jsonl");
const from = process.env.DEMO_MAIL_FROM || "assistant@mandate-demo.example";
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

function addresses(list: string[], field: string): string[] {
  const bad = list.filter((a) => a.length > 320 || !EMAIL.test(a));
  if (bad.length > 0) throw new ToolError(`Invalid address(es) in ${field}: ${bad.join(", ")}`);
  return list;
}

await serveDemo("mail", {
  async send_email(args) {
    const to = addresses(stringArrayArg(args, "to", { required: true, maxItems: 20 }), "to");
    if (to.length === 0) throw new ToolError("At least one recipient is required");
    const cc = addresses(stringArrayArg(args, "cc", { maxItems: 20 }), "cc");
    const subject = requiredString(args, "subject", 200);
    if (subject.trim() === "") throw new ToolError("Subject must not be empty");
    const body = requiredString(args, "body", 20_000);
    const message = { id: randomUUID(), queued_at: new Date().toISOString(), from, to, cc, subject, body };
    await mkdir(dirname(outbox), { recursive: true });
    await appendFile(outbox, `${JSON.stringify(message)}\n`, "utf8");
    const recipients = to.length + cc.length;
    return `Queued message ${message.id} to ${recipients} recipient${recipients === 1 ? "" : "s"} (demo outbox, not delivered)`;
  },
});
