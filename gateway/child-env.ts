/**
 * The environment of an upstream MCP server process. It is built explicitly and never contains Mandate's
 * credentials: every MANDATE_* variable is dropped, and so is any variable whose value contains one of
 * the secrets the gateway holds (an agent key copied into another variable name is still a key).
 */
export const MANDATE_PREFIX = /^MANDATE_/i;

export function buildChildEnv(opts: {
  /** Variables inherited from the gateway's own environment (stdio mode: all of them; HTTP mode: a safe default set). */
  inherited: Record<string, string | undefined>;
  /** Variables configured for this upstream. */
  configured?: Record<string, string>;
  /** Secret values that must not appear in any variable. */
  secrets?: Array<string | undefined>;
}): Record<string, string> {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === "string" && s.length >= 8);
  const env: Record<string, string> = {};
  const add = (k: string, v: string | undefined) => {
    if (v === undefined || MANDATE_PREFIX.test(k)) return;
    if (secrets.some((s) => v.includes(s))) return;
    env[k] = v;
  };
  for (const [k, v] of Object.entries(opts.inherited)) add(k, v);
  for (const [k, v] of Object.entries(opts.configured ?? {})) add(k, v);
  return env;
}
