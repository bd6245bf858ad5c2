import Link from "next/link";
import { TimeAgo } from "@/components/forms/time-ago";
import { MCP_STORE_ID } from "@/lib/policy/publish";
import { currentShadow } from "@/lib/policy/shadow";

/**
 * While a version runs in shadow mode (evaluated on live traffic, not enforced), the policy pages and
 * the dashboard say so, with a link to its comparison: a shadow forgotten for weeks still costs a
 * second evaluation per decision, and an admin editing policies should know what is being compared.
 */
export async function ShadowBanner() {
  const s = await currentShadow(MCP_STORE_ID);
  if (!s) return null;
  return (
    <p role="note" data-testid="shadow-banner" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
      <strong>Shadow policy running:</strong> <span className="font-mono text-xs">{s.label}</span> is evaluated next to the active version on live traffic, not
      enforced (since <TimeAgo at={s.publishedAt} />
      {s.publishedBy ? (
        <>
          , started by <span className="font-mono text-xs">{s.publishedBy}</span>
        </>
      ) : null}
      ).{" "}
      <Link href="/policies/shadow" className="text-indigo-700 underline">
        See where it disagrees
      </Link>
    </p>
  );
}
