import { requireUser } from "@/app/auth";
import { AddSinkForm } from "@/components/sinks/add-sink-form";
import { AutoRefresh } from "@/components/sinks/auto-refresh";
import { DeadLetters } from "@/components/sinks/dead-letters";
import { SinksTable } from "@/components/sinks/sinks-table";
import { deadLetters, listSinks } from "@/lib/sinks/sinks";

export const metadata = { title: "Audit sinks" };

const SHOWN_DEAD_LETTERS = 50;

/**
 * Audit sinks (docs/siem.md): where the audit is streamed, how far each receiver is behind, its last
 * error and its dead letters, refreshed every 5 s. Admins add, test and remove sinks (through
 * /api/v1/sinks, like the CLI); analysts read. Viewers do not see it (the API refuses them too).
 */
export default async function SinksPage() {
  const me = await requireUser(["admin", "analyst"]);
  const admin = me.role === "admin";
  const sinks = await listSinks();
  const letters = await Promise.all(sinks.filter((s) => s.dead_letters > 0).map(async (s) => ({ s, letters: await deadLetters(s.name, SHOWN_DEAD_LETTERS) })));
  return (
    <section aria-labelledby="sinks-h" className="space-y-4">
      <AutoRefresh seconds={5} />
      <div className="space-y-1">
        <h1 id="sinks-h" className="text-xl font-semibold">
          Audit sinks
        </h1>
        <p className="text-sm text-slate-700">
          Every audit entry is streamed to each sink as an OCSF event, at least once and in chain order, with an idempotency id. Lag: entries written and not
          yet acknowledged by the receiver. A sink that is down is retried with back-off and receives everything once it is back.
        </p>
      </div>
      <SinksTable sinks={sinks} admin={admin} />
      {admin && <AddSinkForm />}
      <section aria-labelledby="dead-h" className="space-y-3">
        <h2 id="dead-h" className="text-base font-semibold">
          Dead letters
        </h2>
        <p className="text-sm text-slate-700">
          Entries a receiver refused for good (a 4xx about the events, repeated up to MANDATE_SINK_MAX_ATTEMPTS times): the sink moved past them. They stay in
          the audit log; an admin can send one again once the receiver is fixed.
        </p>
        {letters.length === 0 ? (
          <p className="text-sm text-slate-600">None.</p>
        ) : (
          letters.map(({ s, letters: l }) => <DeadLetters key={s.id} sink={s.name} letters={l} total={s.dead_letters} admin={admin} />)
        )}
      </section>
    </section>
  );
}
