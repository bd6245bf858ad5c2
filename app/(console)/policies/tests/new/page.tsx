import Link from "next/link";
import { requireUser } from "@/app/auth";
import { TestFromDecision } from "@/components/policies/test-from-decision";
import { activeVersion, latestDraft } from "@/lib/console/policies";
import { MCP_STORE_ID } from "@/lib/policy/publish";
import { loadDecisionCase } from "@/lib/policy/test-from-decision";

export const metadata = { title: "Create policy test" };

/** A policy test case from a recorded decision (a decision's drawer links here with ?decision=<id>). */
export default async function TestFromDecisionPage({ searchParams }: { searchParams: Promise<{ decision?: string }> }) {
  // Running a test needs the analyst role at least; a viewer is refused here like on /posture (403).
  const user = await requireUser(["admin", "analyst"]);
  const { decision = "" } = await searchParams;
  const heading = (
    <h1 id="tfd-h" className="text-xl font-semibold">
      Create policy test{" "}
      <span className="text-base font-normal text-slate-600">· from decision {decision ? <span className="font-mono">{decision}</span> : "…"}</span>
    </h1>
  );
  const wrap = (body: React.ReactNode) => (
    <section aria-labelledby="tfd-h" className="space-y-4">
      {heading}
      {body}
    </section>
  );
  const made = await loadDecisionCase(decision);
  if (!made)
    return wrap(
      <p role="alert" className="rounded bg-amber-50 px-3 py-2 text-amber-900">
        No recorded decision {decision || "was named"}: the link may be mistyped.{" "}
        <Link className="underline" href="/audit">
          Find it in the audit
        </Link>
        .
      </p>,
    );
  if (!made.ok)
    return wrap(
      <p role="alert" className="rounded bg-amber-50 px-3 py-2 text-amber-900">
        {made.reason}
      </p>,
    );
  const [draft, active] = await Promise.all([latestDraft(MCP_STORE_ID), activeVersion(MCP_STORE_ID)]);
  const base = draft ?? active;
  if (!base) return wrap(<p className="text-slate-700">No policy version exists yet: publish one before storing tests with it.</p>);
  return wrap(
    <>
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700" aria-label="What the record holds">
        {made.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      <TestFromDecision
        decisionId={decision}
        testCase={made.testCase}
        base={{ label: `${base.status} v${base.version}`, text: base.text, tests: base.tests }}
        canSave={user.role === "admin"}
      />
    </>,
  );
}
