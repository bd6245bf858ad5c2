import { requireUser } from "@/app/auth";
import { AgentsTable } from "@/components/agents/agents-table";
import { RegisterAgentForm } from "@/components/agents/register-agent-form";
import { agentsTableDefinition, listAgents } from "@/lib/console/agents-list";
import { userEmails } from "@/lib/console/agent-detail";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";

export const metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const definition = await agentsTableDefinition();
  const state = parseTableState(definition, await searchParams);
  const [page, owners] = await Promise.all([listAgents(state, definition.pageSize), user.role === "admin" ? userEmails() : Promise.resolve([])]);
  return (
    <section aria-labelledby="agents-h" className="space-y-4">
      <h1 id="agents-h" className="text-xl font-semibold">
        Agents
      </h1>
      {user.role === "admin" && <RegisterAgentForm owners={owners} me={user.email} />}
      <AgentsTable definition={definition} state={state} page={page} />
    </section>
  );
}
