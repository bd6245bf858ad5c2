import { requireUser } from "@/app/auth";
import { PolicyNav } from "@/components/policies/policy-nav";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { PolicyWorkbench } from "@/components/policies/policy-workbench";
import { activeVersion, getVersion, latestDraft } from "@/lib/console/policies";
import { completionModel } from "@/lib/policy/cedar-completion";
import { MCP_STORE_ID, storeSchema } from "@/lib/policy/publish";
import { getReplayRetentionDays } from "@/lib/policy/replay-values";

export const metadata = { title: "Policies" };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  const user = await requireUser();
  const { from } = await searchParams;
  // The schema completion offers is the one validation checks against (storeSchema).
  const [active, draft, retention, schema] = await Promise.all([
    activeVersion(MCP_STORE_ID),
    latestDraft(MCP_STORE_ID),
    getReplayRetentionDays(0),
    storeSchema(MCP_STORE_ID),
  ]);
  const chosen = from && /^\d+$/.test(from) ? await getVersion(MCP_STORE_ID, Number(from)) : null;
  const start = chosen ?? draft ?? active;
  const source = chosen
    ? `a copy of v${chosen.version} (${chosen.status})`
    : draft
      ? `draft v${draft.version} by ${draft.author}`
      : active
        ? `a copy of the active version v${active.version}`
        : "a new policy set";
  return (
    <section aria-labelledby="pol-h" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="pol-h" className="text-xl font-semibold">
          Policies <span className="text-base font-normal text-slate-600">· MCP tool governance</span>
        </h1>
        <PolicyNav current="/policies" />
      </div>
      <ShadowBanner />
      <PolicyWorkbench
        role={user.role}
        initialText={start?.text ?? ""}
        initialTests={JSON.stringify(start?.tests ?? [], null, 2)}
        source={source}
        activeText={active?.text ?? ""}
        activeLabel={active ? `${MCP_STORE_ID}@v${active.version}` : null}
        retentionDays={retention}
        completion={completionModel(schema)}
      />
    </section>
  );
}
