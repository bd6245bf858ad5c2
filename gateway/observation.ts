/**
 * Labels from what actually flowed (issue 15 §2): every result an allowed request returns is inspected
 * before the client sees it (lib/detectors: secrets, personal data, and labels the server attached in
 * `_meta`). A result with at least one label is released only after Mandate says the labels are
 * committed to the session (POST /api/v1/observations), so the session's very next decision sees them on
 * any node; a result with none is released at once. Mandate unreachable: the result is withheld.
 */
import { inspectResult } from "../lib/detectors/index.ts";
import type { DecisionResponse } from "../lib/api/schemas.ts";
import type { MandateClient } from "./mandate-client.ts";

export type Observed = { ok: true; labels: string[] } | { ok: false; labels: string[]; message: string };

export async function observeResult(
  mandate: MandateClient,
  method: string,
  result: unknown,
  d: DecisionResponse,
  delegationToken: string | undefined,
  signal: AbortSignal,
): Promise<Observed> {
  // Detectors an admin turned off for this item or its server (the decision names them); `_meta` labels still count.
  const found = inspectResult(method, result, d.detectors_off ? { detectorsOff: d.detectors_off } : {});
  if (found.labels.length === 0) return { ok: true, labels: [] };
  try {
    await mandate.observe(
      {
        session: { id: d.session.id },
        decision_id: d.decision_id,
        labels: found.labels,
        provenance: found.provenance.map((p) => ({
          label: p.label,
          source: p.source,
          ...(p.detector !== undefined ? { detector: p.detector } : {}),
          ...(p.count !== undefined ? { count: p.count } : {}),
          ...(p.key !== undefined ? { key: p.key } : {}),
        })),
        ...(delegationToken ? { delegation_token: delegationToken } : {}),
      },
      signal,
    );
    return { ok: true, labels: found.labels };
  } catch (e) {
    return { ok: false, labels: found.labels, message: e instanceof Error ? e.message : String(e) };
  }
}
