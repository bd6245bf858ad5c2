import Link from "next/link";

/** A decision drawer's "Create policy test" action (analysts and admins): the case prefilled from the recorded decision. */
export function CreateTestLink({ decisionId }: { decisionId: string }) {
  return (
    <p className="mt-4 border-t border-slate-200 pt-3">
      <Link
        href={`/policies/tests/new?decision=${encodeURIComponent(decisionId)}`}
        className="inline-block rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100"
        data-testid="create-policy-test"
      >
        Create policy test
      </Link>
    </p>
  );
}
