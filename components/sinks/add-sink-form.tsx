"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi, type ApiFailure } from "@/components/api/call-api";
import { buttonClass, inputClass, SuccessMessage } from "@/components/forms/fields";
import { formText } from "@/components/forms/form-text";
import { SINK_KIND_HELP, SINK_KINDS } from "@/lib/sinks/kinds";

type Kind = (typeof SINK_KINDS)[number];

/** The API's refusal, with its field errors one a line (the same validation as the CLI: POST /api/v1/sinks). */
function Refusal({ failure }: { failure: ApiFailure | null }) {
  if (!failure) return null;
  return (
    <div role="alert" className="basis-full rounded bg-red-50 px-3 py-2 text-sm text-red-800">
      <p>{failure.error}</p>
      {failure.problems && failure.problems.length > 0 && (
        <ul className="list-disc pl-5">
          {failure.problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              {p.path ? `${p.path}: ` : ""}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Add an audit sink (admins): the fields of its kind — syslog takes a tcp:// or tls:// address and may
 * send CEF, the HTTP kinds an http(s) URL and a token — sent as they are to POST /api/v1/sinks, which
 * validates them (nothing is checked only here). The token is write-only: it is never shown again.
 */
export function AddSinkForm() {
  const router = useRouter();
  const [kind, setKind] = useState<Kind>("webhook");
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const help = SINK_KIND_HELP[kind];
  return (
    <form
      aria-label="Add a sink"
      className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const f = new FormData(form);
        const opt = (k: string) => formText(f, k).trim();
        const body = {
          name: opt("name"),
          kind,
          endpoint: opt("endpoint"),
          from: opt("from") || "now",
          ...(kind === "syslog" && opt("format") ? { format: opt("format") } : {}),
          ...(kind !== "syslog" && opt("token") ? { token: opt("token") } : {}),
          ...(opt("ca") ? { ca: opt("ca") } : {}),
        };
        setPending(true);
        const r = await callApi<{ name: string }>("POST", "/api/v1/sinks", body);
        setPending(false);
        if (!r.ok) return setFailure(r);
        setFailure(null);
        setAdded(r.data.name);
        form.reset();
        setKind("webhook");
        router.refresh();
      }}
    >
      <h2 className="basis-full text-base font-semibold">Add a sink</h2>
      <label className="text-sm font-medium">
        Name
        <input name="name" required className={inputClass} />
      </label>
      <label className="text-sm font-medium">
        Kind
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)} className={inputClass}>
          {SINK_KINDS.map((k) => (
            <option key={k} value={k}>
              {SINK_KIND_HELP[k].label}
            </option>
          ))}
        </select>
      </label>
      <label className="min-w-80 flex-1 text-sm font-medium">
        Endpoint
        <input name="endpoint" required placeholder={help.endpoint} className={inputClass} />
      </label>
      {kind === "syslog" ? (
        <label className="text-sm font-medium">
          Format
          <select name="format" defaultValue="ocsf" className={inputClass}>
            <option value="ocsf">OCSF JSON</option>
            <option value="cef">CEF</option>
          </select>
        </label>
      ) : (
        <label className="text-sm font-medium">
          Token
          <input name="token" type="password" autoComplete="off" placeholder={help.token ?? ""} className={inputClass} />
        </label>
      )}
      <label className="text-sm font-medium">
        Deliver
        <select name="from" defaultValue="now" className={inputClass}>
          <option value="now">entries from now on</option>
          <option value="start">every stored entry too</option>
        </select>
      </label>
      <label className="basis-full text-sm font-medium">
        CA certificate (PEM, optional: a TLS receiver whose certificate is not signed by a public CA)
        <textarea name="ca" rows={2} placeholder="-----BEGIN CERTIFICATE-----" className={`${inputClass} font-mono text-xs`} />
      </label>
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Adding…" : "Add sink"}
      </button>
      <p className="basis-full text-xs text-slate-600">
        {kind === "syslog" ? "tcp://host:port or tls://host:port; RFC 5424 messages, octet-counted." : `An http(s) URL. Token: ${help.token}.`} Events are OCSF
        1.3.0 with an idempotency id; see docs/siem.md.
      </p>
      <Refusal failure={failure} />
      {added && (
        <div className="basis-full">
          <SuccessMessage>Added the sink {added}.</SuccessMessage>
        </div>
      )}
    </form>
  );
}
