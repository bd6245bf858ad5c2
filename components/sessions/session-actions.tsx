"use client";

import type { Role } from "@/lib/identity/credential-cache";
import { ReasonAction } from "./action-form";
import { GrantForm } from "./grant-form";

/** Act on what you see: terminate the session, suspend an agent, block a tool, grant authority. */
export function SessionActions({
  role,
  sessionId,
  terminated,
  agents,
  tools,
  inventory,
}: {
  role: Role;
  sessionId: string;
  terminated: boolean;
  agents: Array<{ name: string; suspended: boolean }>;
  tools: string[];
  inventory: string[];
}) {
  if (role === "viewer") {
    return (
      <p className="rounded border border-slate-200 bg-white p-3 text-sm text-slate-700">
        Viewers can review sessions; terminating, suspending, blocking and granting need the analyst or admin role.
      </p>
    );
  }
  const enc = encodeURIComponent;
  return (
    <section aria-label="Act on this session" className="space-y-2">
      {terminated ? (
        <p className="rounded border border-slate-200 bg-white p-3 text-sm text-slate-700">This session is terminated: every further call in it is denied.</p>
      ) : (
        <ReasonAction
          testId="terminate-session"
          title="Terminate this session"
          hint="Every later call in this session is denied, on every node, from the next request."
          button="Terminate session"
          path={`/api/v1/sessions/${enc(sessionId)}/terminate`}
        />
      )}
      {agents.some((a) => !a.suspended) && (
        <ReasonAction
          testId="suspend-agent"
          title="Suspend an agent"
          hint="The agent's every call, in every session, is denied until an admin lifts the suspension."
          button="Suspend agent"
          choices={agents.filter((a) => !a.suspended).map((a) => ({ value: a.name, label: a.name }))}
          path={(a) => `/api/v1/agents/${enc(a)}/suspend`}
        />
      )}
      {tools.length > 0 && (
        <ReasonAction
          testId="block-tool"
          title="Block a tool"
          hint="Every call of the tool, by any agent, is denied until an admin unblocks it."
          button="Block tool"
          choices={tools.map((t) => ({ value: t, label: t }))}
          path={(t) => {
            const [server, ...name] = t.split("/");
            return `/api/v1/tools/${enc(server)}/${enc(name.join("/"))}/block`;
          }}
        />
      )}
      {!terminated && <GrantForm sessionId={sessionId} tools={inventory} agents={agents.filter((a) => !a.suspended).map((a) => a.name)} />}
    </section>
  );
}
