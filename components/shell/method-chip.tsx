/**
 * The MCP method a decision was for, as a chip: every method is decided (tools, resources, prompts,
 * completions, the methods about a whole server, and the requests a server sends to the client), so a
 * step or an audit entry says which one it was instead of passing for a tool call.
 */
const SERVER_REQUESTS = new Set(["sampling/createMessage", "elicitation/create", "roots/list"]);
const SERVER_METHODS = new Set(["initialize", "logging/setLevel", "tasks/get", "tasks/result", "tasks/list", "tasks/cancel"]);

function tone(method: string): string {
  if (SERVER_REQUESTS.has(method)) return "border-rose-300 bg-rose-50 text-rose-900";
  if (SERVER_METHODS.has(method)) return "border-amber-300 bg-amber-50 text-amber-900";
  if (method.startsWith("resources/")) return "border-sky-300 bg-sky-50 text-sky-900";
  if (method === "prompts/get" || method === "completion/complete") return "border-violet-300 bg-violet-50 text-violet-900";
  return "border-slate-300 bg-slate-50 text-slate-800";
}

export function MethodChip({ method }: { method: string }) {
  const fromServer = SERVER_REQUESTS.has(method);
  return (
    <span
      data-testid="method-chip"
      data-method={method}
      title={fromServer ? `${method}: a request the server sent to the client` : method}
      className={`inline-block rounded border px-1 font-mono text-[11px] leading-4 ${tone(method)}`}
    >
      {method}
      {fromServer ? " ← server" : ""}
    </span>
  );
}
