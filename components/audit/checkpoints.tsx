import { Timestamp } from "@/components/time/timestamp";
import type { ChainRow, CheckpointRow } from "@/lib/audit/queries-checkpoints";
import type { LastVerify } from "@/lib/audit/last-verify";
import { TimeAgo } from "@/components/forms/time-ago";
import { WriteCheckpointButton } from "./write-checkpoint";

/** The chains (one per node process) and the latest signed checkpoints over their heads. */
export function Checkpoints({
  checkpoints,
  chains,
  canWrite,
  lastVerify,
}: {
  checkpoints: CheckpointRow[];
  chains: ChainRow[];
  canWrite: boolean;
  lastVerify: LastVerify | null;
}) {
  const node = new Map(chains.map((c) => [c.id, c.node]));
  const verified = new Map((lastVerify?.per_chain ?? []).map((c) => [c.chain_id, c]));
  return (
    <section aria-labelledby="cp-h" className="rounded border border-slate-200 bg-white p-4 text-sm" data-testid="checkpoints">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="cp-h" className="font-semibold">
          Signed checkpoints
        </h2>
        {canWrite && <WriteCheckpointButton />}
      </div>
      <p className="mt-1 text-slate-700">
        Each checkpoint signs every chain&apos;s head (sequence and hash) with a key kept outside the database, and is appended to a file outside it: rewriting
        or truncating history shows up as a checkpoint that no longer matches.
      </p>
      {checkpoints.length === 0 ? (
        <p className="mt-2 text-slate-700">
          No checkpoint yet. Mandate writes one every few minutes while entries are added{canWrite ? ", or write one now" : ""}.
        </p>
      ) : (
        <ul className="mt-2 space-y-2">
          {checkpoints.map((c) => (
            <li key={c.id} className="rounded border border-slate-100 p-2">
              <p>
                <TimeAgo at={c.createdAt} /> · key <span className="font-mono text-xs">{c.keyId}</span> · signature{" "}
                <span className="font-mono text-xs">{c.signature.slice(0, 16)}…</span>
              </p>
              <ul className="mt-1 font-mono text-xs text-slate-700">
                {c.heads.map((h) => (
                  <li key={h.chain_id}>
                    {node.get(h.chain_id) ?? h.chain_id.slice(0, 8)}: #{h.seq} {h.hash.slice(0, 16)}…
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <details className="mt-3">
        <summary className="cursor-pointer">Chains ({chains.length})</summary>
        <ul className="mt-1 font-mono text-xs">
          {chains.map((c) => (
            <li key={c.id} data-testid="chain" data-chain={c.id}>
              {c.node}: {c.headSeq} entries
              {c.lastAt && (
                <>
                  , last <Timestamp at={c.lastAt} />
                </>
              )}
              <ChainVerified chain={c} v={verified.get(c.id)} at={lastVerify?.at ?? null} />
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

/** How far the last verification found this chain intact: "verified to #N" (and how many entries came since), broken at #N, or not verified. */
function ChainVerified({ chain, v, at }: { chain: ChainRow; v: LastVerify["per_chain"][number] | undefined; at: string | null }) {
  if (!v || !at) return <span data-testid="chain-verified">; not verified yet</span>;
  if (v.broken_seq !== null)
    return (
      <span className="font-semibold text-red-800" data-testid="chain-verified">
        ; broken at #{v.broken_seq} (verified <TimeAgo at={at} />)
      </span>
    );
  const since = chain.headSeq - v.head_seq;
  return (
    <span data-testid="chain-verified">
      ; verified to #{v.head_seq} <TimeAgo at={at} />
      {since > 0 ? ` (${since} since)` : ""}
    </span>
  );
}
