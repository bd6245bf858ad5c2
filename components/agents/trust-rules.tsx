"use client";

// First: zod must be jitless in the browser before trust-input builds its schema (the CSP forbids eval).
import "@/components/forms/zod-jitless";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, seg } from "@/components/api/call-api";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { buttonClass, ErrorMessage, inputClass } from "@/components/forms/fields";
import { trustRuleInput } from "@/lib/identity/federation/trust-input";

type FieldName = "issuer" | "subject" | "claims" | "audience" | "jwks_url";
type FieldErrors = Partial<Record<FieldName, string>>;
const FIELDS: FieldName[] = ["issuer", "subject", "claims", "audience", "jwks_url"];

/** The field a problem's path names ("claims.repository" → claims), or null for the whole form. */
function fieldOf(path: string): FieldName | null {
  const head = path.split(".")[0] as FieldName;
  return FIELDS.includes(head) ? head : null;
}

/** "name=value" per line → a record; a line without "=" is an error (nothing is guessed). */
function parseClaims(text: string): { claims: Record<string, string> } | { error: string } {
  const claims: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { error: `line ${i + 1}: write name=value` };
    const name = line.slice(0, eq);
    if (Object.hasOwn(claims, name)) return { error: `line ${i + 1}: ${name} is named twice` };
    claims[name] = line.slice(eq + 1);
  }
  return { claims };
}

/**
 * Adds a trust rule (POST /api/v1/agents/{agent}/trust, audited as agent.trust.add). The input is checked
 * with the API's own schema first, so a bad field is shown next to it and nothing is sent; what the server
 * refuses besides (a duplicate rule) is shown the same way.
 */
export function AddTrustRuleForm({ agent }: { agent: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const field = (name: FieldName, label: string, hint: string, multiline = false) => {
    const id = `trust-${name}`;
    const props = {
      id,
      name,
      "aria-invalid": errors[name] ? true : undefined,
      "aria-describedby": `${id}-hint${errors[name] ? ` ${id}-error` : ""}`,
      className: inputClass,
    };
    return (
      <div>
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        {multiline ? <textarea {...props} rows={2} /> : <input {...props} />}
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
        {errors[name] && (
          <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-800">
            {errors[name]}
          </p>
        )}
      </div>
    );
  };
  return (
    <form
      aria-label="Add a trust rule"
      className="grid gap-3 rounded border border-slate-200 bg-white p-4 md:grid-cols-2"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const f = new FormData(form);
        const text = (n: FieldName) => {
          const v = f.get(n);
          return typeof v === "string" ? v : "";
        };
        const str = (n: FieldName) => text(n).trim();
        const claims = parseClaims(text("claims"));
        if ("error" in claims) return setErrors({ claims: claims.error });
        const input = {
          issuer: str("issuer"),
          subject: str("subject"),
          claims: claims.claims,
          ...(str("audience") ? { audience: str("audience") } : {}),
          ...(str("jwks_url") ? { jwks_url: str("jwks_url") } : {}),
        };
        const checked = trustRuleInput.safeParse(input);
        if (!checked.success) {
          const found: FieldErrors = {};
          for (const i of checked.error.issues) {
            const n = fieldOf(i.path.map(String).join("."));
            if (n && !found[n]) found[n] = i.message;
          }
          setError(null);
          return setErrors(found);
        }
        setPending(true);
        const r = await callApi("POST", `/api/v1/agents/${seg(agent)}/trust`, input);
        setPending(false);
        if (!r.ok) {
          const found: FieldErrors = {};
          for (const p of r.problems ?? []) {
            const n = fieldOf(p.path);
            if (n && !found[n]) found[n] = p.message;
          }
          setErrors(found);
          return setError(r.error);
        }
        setErrors({});
        setError(null);
        form.reset();
        router.refresh();
      }}
    >
      {field("issuer", "Issuer", "the token's iss, exactly; an https URL with OpenID discovery unless a JWKS URL is given")}
      {field("subject", "Subject", "the token's sub, exactly, e.g. system:serviceaccount:payments:refund-bot")}
      {field("claims", "Claims (optional)", "one name=value per line; each top-level claim must be that string")}
      {field("audience", "Audience (optional)", "a value the token's aud must contain; blank: Mandate's public URL")}
      {field("jwks_url", "JWKS URL (optional)", "the issuer's keys; blank: from its discovery document")}
      <div className="flex items-end">
        <button type="submit" disabled={pending} className={buttonClass}>
          Add trust rule
        </button>
      </div>
      <div className="md:col-span-2">
        <ErrorMessage error={error} />
      </div>
    </form>
  );
}

/** Removes a trust rule after confirmation (DELETE …/trust/{id}, audited as agent.trust.remove). */
export function RemoveTrustRuleButton({ agent, id, subject, liveTokens }: { agent: string; id: string; subject: string; liveTokens: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label="Remove"
        danger
        title={`Remove the trust rule for ${subject}?`}
        details={
          <p>
            <strong>{agent}</strong> can no longer exchange a token of this identity, and{" "}
            {liveTokens === 0
              ? "no access token admitted by this rule is still valid."
              : liveTokens === 1
                ? "the 1 access token it admitted that is still valid is revoked, on every node."
                : `the ${liveTokens} access tokens it admitted that are still valid are revoked, on every node.`}
          </p>
        }
        confirmLabel="Remove trust rule"
        onConfirm={async () => {
          const r = await callApi("DELETE", `/api/v1/agents/${seg(agent)}/trust/${seg(id)}`);
          setError(r.ok ? null : r.error);
          router.refresh();
        }}
      />
      <ErrorMessage error={error} />
    </>
  );
}

/** Turns federated-only on (revoking the static keys) or off, after confirmation (audited as agent.federated_only). */
export function FederatedOnlyToggle({ agent, federatedOnly, activeKeys }: { agent: string; federatedOnly: boolean; activeKeys: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label={federatedOnly ? "Allow static keys again" : "Make federated-only"}
        danger={!federatedOnly}
        title={federatedOnly ? `Allow static keys for ${agent}?` : `Make ${agent} federated-only?`}
        details={
          federatedOnly ? (
            <p>Admins can create static API keys for this agent again. Its trust rules keep working.</p>
          ) : (
            <p>
              No static API key can be created for <strong>{agent}</strong>: it authenticates only with a platform token its trust rules accept.{" "}
              {activeKeys === 0
                ? "It has no active key."
                : `Its ${activeKeys === 1 ? "active key is" : `${activeKeys} active keys are`} revoked now, on every node.`}
            </p>
          )
        }
        confirmLabel={federatedOnly ? "Allow static keys" : "Make federated-only"}
        onConfirm={async () => {
          const r = await callApi("POST", `/api/v1/agents/${seg(agent)}/federated-only`, { federated_only: !federatedOnly });
          setError(r.ok ? null : r.error);
          router.refresh();
        }}
      />
      <ErrorMessage error={error} />
    </>
  );
}
