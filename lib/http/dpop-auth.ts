/**
 * The resource side of DPoP (RFC 9449, §7): a DPoP-bound access token is accepted only as
 * `Authorization: DPoP <token>` with a valid proof of its key for this request (`ath` = its hash); a bound
 * token presented as Bearer, without a proof or with another key's proof is refused, and so is an
 * unbound credential presented with the DPoP scheme. Each refusal is a 401 with `WWW-Authenticate: DPoP
 * error=…` and an audit entry `dpop.refuse` with the reason.
 */
import type { IncomingMessage } from "node:http";
import { adminAction } from "../audit/admin-action.ts";
import { DPOP_REFUSE_ENTRY } from "../audit/entries/index.ts";
import { MandateError } from "../errors.ts";
import type { Principal } from "../identity/credential-cache.ts";
import { purgeExpired } from "../identity/federation/exchange.ts";
import { DPOP_ALGORITHMS, DpopError, dpopHeader, expectedHtu, verifyDpopProof } from "../identity/federation/dpop.ts";
import type { Runtime } from "../runtime/runtime.ts";

type DpopErrorCode = "invalid_token" | "invalid_dpop_proof";

const headerSafe = (s: string) => s.replace(/["\\\r\n]/g, "'");

/** A 401 as RFC 9449 §7.1 words it: the DPoP scheme's challenge with the error. */
export function dpopChallenge(code: DpopErrorCode, reason: string, status = 401): MandateError {
  return new MandateError(status, code, reason, undefined, {
    "WWW-Authenticate": `DPoP algs="${DPOP_ALGORITHMS.join(" ")}", error="${code}", error_description="${headerSafe(reason)}"`,
  });
}

/** Audits a DPoP refusal (`dpop.refuse`). */
export async function auditDpopRefusal(rt: Runtime, req: IncomingMessage, principal: Principal | null, reason: string): Promise<void> {
  const agent = principal?.kind === "agent" ? principal : null;
  await adminAction(rt, async () => ({
    result: null,
    audit: DPOP_REFUSE_ENTRY.entry({
      actor: agent ? `agent:${agent.name}` : "dpop:unknown",
      agent_id: agent?.agentId ?? null,
      data: {
        reason,
        key_id: agent?.keyId ?? null,
        jkt: agent?.dpopJkt ?? null,
        method: req.method ?? "",
        path: (req.url ?? "/").split("?")[0].slice(0, 500),
      },
    }),
  }));
}

/** Checks how an authenticated credential was presented against its DPoP binding; refuses (audited) otherwise. */
export async function checkSenderConstraint(
  rt: Runtime,
  req: IncomingMessage,
  principal: Principal,
  presented: { scheme: "bearer" | "dpop"; token: string },
): Promise<void> {
  const bound = principal.kind === "agent" ? principal.dpopJkt : undefined;
  let refusal: { code: DpopErrorCode; reason: string } | null = null;
  if (!bound) {
    if (presented.scheme === "dpop") refusal = { code: "invalid_token", reason: "this credential is not DPoP-bound: present it as Authorization: Bearer" };
  } else if (presented.scheme !== "dpop") {
    refusal = { code: "invalid_token", reason: "the access token is DPoP-bound: present it as Authorization: DPoP <token> with a DPoP proof" };
  } else {
    try {
      const proof = dpopHeader(req);
      if (!proof) throw new DpopError("a DPoP proof (the DPoP header) is required with a DPoP-bound access token");
      const { jkt } = await verifyDpopProof(proof, { method: req.method ?? "", htu: expectedHtu(rt.config.publicUrl, req), accessToken: presented.token });
      purgeExpired();
      if (jkt !== bound) throw new DpopError("the DPoP proof is signed by another key than the one the access token is bound to");
    } catch (e) {
      if (!(e instanceof DpopError)) throw e;
      refusal = { code: "invalid_dpop_proof", reason: e.reason };
    }
  }
  if (!refusal) return;
  await auditDpopRefusal(rt, req, principal, refusal.reason);
  throw dpopChallenge(refusal.code, refusal.reason);
}
