/**
 * `mandate tools|servers|resources|prompts …`: the inventory's review commands (cli/commands.ts lists them
 * with the others); each calls the same lib/inventory function as the API and the console.
 */
import { need, str, type Command, type CommandInput } from "./args.ts";
import { withDatabase } from "./with-database.ts";
import { MandateError } from "../lib/errors.ts";
import { approveTool, detectorsOffEdit, parseToolRef, setDetectorsOff, setToolBlocked } from "../lib/inventory/tools-admin.ts";
/** `<server>/<tool>`: a tool, never a resource or prompt (their commands are `mandate resources|prompts …`). */
function toolRef(v: string | undefined): { server: string; name: string } {
  const ref = parseToolRef(need(v, "<server>/<tool>"));
  if (ref.name.includes(":")) throw new MandateError(400, "invalid_tool", `"${ref.name}" is not a tool name: use mandate resources … or mandate prompts …`);
  return ref;
}

/** A resource's inventory name: a URI or a URI template, which always has a scheme (item-key.ts). */
function resourceName(v: string | undefined): string {
  const name = need(v, "<uri-or-template>");
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(name)) throw new MandateError(400, "invalid_request", `expected a URI or URI template with a scheme, got "${name}"`);
  return name;
}

/** Approves an inventory item by its server and the rest of its key (a tool's name, a resource's URI or template, `prompt:<name>`). */
function approveItem({ values, actor }: CommandInput, server: string, rest: string): Promise<number> {
  return withDatabase(async (ctx) => {
    const labels = str(values.labels)
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const t = await approveTool(
      ctx,
      server,
      rest,
      { effect: str(values.effect) as never, risk: str(values.risk) as never, labels, note: str(values.note) },
      actor,
    );
    console.log(`Approved ${server}/${rest}: ${t.effect}/${t.risk}${t.labels.length ? ` [${t.labels.join(", ")}]` : ""}`);
    return 0;
  });
}

function blockItem({ values, actor }: CommandInput, server: string, rest: string, blocked: boolean): Promise<number> {
  return withDatabase(async (ctx) => {
    await setToolBlocked(ctx, server, rest, blocked, need(str(values.reason), "--reason"), actor);
    console.log(`${blocked ? "Blocked" : "Unblocked"} ${server}/${rest}`);
    return 0;
  });
}

/** `--detectors-off a,b` (detector or label names; `none` or "" turns every detector back on) for an item, or a server (`rest` null). */
function setItemDetectors({ values, actor }: CommandInput, server: string, rest: string | null): Promise<number> {
  const raw = str(values["detectors-off"]);
  if (raw === undefined) throw new MandateError(400, "invalid_request", "missing --detectors-off <names> (none turns every detector back on)");
  const names =
    raw === "none"
      ? []
      : raw
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
  const edit = detectorsOffEdit.safeParse({ detectors_off: names, ...(str(values.note) ? { note: str(values.note) } : {}) });
  if (!edit.success) throw new MandateError(400, "invalid_request", edit.error.issues.map((i) => i.message).join("; "));
  return withDatabase(async (ctx) => {
    const r = await setDetectorsOff(ctx, server, rest, edit.data, actor);
    const what = rest === null ? `every item of ${server}` : `${server}/${rest}`;
    console.log(r.detectors_off.length ? `Detectors off for ${what}: ${r.detectors_off.join(", ")}` : `Every detector on for ${what}`);
    return 0;
  });
}
const DETECTOR_OPTIONS = { "detectors-off": { type: "string" }, note: { type: "string" } } as const;

/** The inventory's commands: tools, servers, resources and prompts (approve, block, unblock, set). */
export const inventoryCommands: Record<string, Command> = {
  "tools approve": {
    usage: "<server>/<tool> [--effect E --risk R --labels a,b]",
    summary: "Approve a tool's classification (the suggestion unless overridden)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return approveItem(input, server, name);
    },
  },
  "tools block": {
    usage: "<server>/<tool> --reason R",
    summary: "Block a tool (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return blockItem(input, server, name, true);
    },
  },
  "tools unblock": {
    usage: "<server>/<tool> --reason R",
    summary: "Unblock a tool",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return blockItem(input, server, name, false);
    },
  },
  "tools set": {
    usage: "<server>/<tool> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a tool's results (detector or label names, e.g. pii)",
    options: DETECTOR_OPTIONS,
    run: (input) => {
      const { server, name } = toolRef(input.positionals[0]);
      return setItemDetectors(input, server, name);
    },
  },
  "servers set": {
    usage: "<server> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for every item of a server",
    options: DETECTOR_OPTIONS,
    run: (input) => setItemDetectors(input, need(input.positionals[0], "<server>"), null),
  },
  "resources set": {
    usage: "<server> <uri-or-template> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a resource or a family of resources",
    options: DETECTOR_OPTIONS,
    run: (input) => setItemDetectors(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1])),
  },
  "resources approve": {
    usage: "<server> <uri-or-template> [--effect E --risk R --labels a,b]",
    summary: "Approve a resource (its URI) or a family of resources (its RFC 6570 URI template)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => approveItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1])),
  },
  "resources block": {
    usage: "<server> <uri-or-template> --reason R",
    summary: "Block a resource or a family of resources (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => blockItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1]), true),
  },
  "resources unblock": {
    usage: "<server> <uri-or-template> --reason R",
    summary: "Unblock a resource or a family of resources",
    options: { reason: { type: "string" } },
    run: (input) => blockItem(input, need(input.positionals[0], "<server>"), resourceName(input.positionals[1]), false),
  },
  "prompts approve": {
    usage: "<server>/<prompt> [--effect E --risk R --labels a,b]",
    summary: "Approve a prompt's classification (the suggestion unless overridden)",
    options: { effect: { type: "string" }, risk: { type: "string" }, labels: { type: "string" }, note: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return approveItem(input, server, `prompt:${name}`);
    },
  },
  "prompts block": {
    usage: "<server>/<prompt> --reason R",
    summary: "Block a prompt (every node, next request)",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return blockItem(input, server, `prompt:${name}`, true);
    },
  },
  "prompts unblock": {
    usage: "<server>/<prompt> --reason R",
    summary: "Unblock a prompt",
    options: { reason: { type: "string" } },
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return blockItem(input, server, `prompt:${name}`, false);
    },
  },
  "prompts set": {
    usage: "<server>/<prompt> --detectors-off <names|none> [--note N]",
    summary: "Set the content detectors the gateway skips for a prompt's messages",
    options: DETECTOR_OPTIONS,
    run: (input) => {
      const { server, name } = parseToolRef(need(input.positionals[0], "<server>/<prompt>"));
      return setItemDetectors(input, server, `prompt:${name}`);
    },
  },
};
