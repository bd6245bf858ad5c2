/**
 * The posture report (issue 20 §3): the frameworks (frameworks.ts) with the live checks (checks.ts),
 * stamped with the audit chains' heads at generation and signed with the node's checkpoint key (the
 * Ed25519 key of lib/audit/checkpoints.ts), so an auditor can check offline that Mandate produced it
 * and that nothing in it changed: `mandate report verify <file>` with the keys published at
 * `/.well-known/mandate-checkpoint-keys.json`.
 *
 * The signature covers the canonical JSON (lib/util/canonical-json.ts) of the report without its
 * `signature` member. The HTML export embeds that same JSON (a `<script type="application/json">`), so
 * the HTML file verifies too.
 */
import { createPublicKey, randomUUID, sign, verify as verifySignature, type KeyObject } from "node:crypto";
import { checkpointKeyId, currentHeads, loadCheckpointKey, type ChainHead } from "../audit/checkpoints.ts";
import { getPool } from "../db/pool.ts";
import { canonicalJson } from "../util/canonical-json.ts";
import { POSTURE_THRESHOLDS, runChecks, type CheckResult, type Range } from "./checks.ts";
import { FRAMEWORKS, type Coverage } from "./frameworks.ts";

export const REPORT_FORMAT = "mandate-posture-report/1";

export interface ReportItem {
  id: string;
  title: string;
  coverage: Coverage;
  controls: string[];
  implementation: string;
  checks: CheckResult[];
}

export interface PostureReport {
  format: typeof REPORT_FORMAT;
  id: string;
  generated_at: string;
  node: string;
  range: { from: string; to: string };
  /** The audit chains' heads when the current-state figures were read. */
  chain_heads: ChainHead[];
  thresholds: typeof POSTURE_THRESHOLDS;
  frameworks: Array<{ id: string; name: string; version: string; source: string; items: ReportItem[] }>;
  checks: CheckResult[];
  signature?: { alg: "Ed25519"; key_id: string; value: string };
}

/** Builds the report for a range (range figures) and now (current figures). */
export async function buildReport(node: string, range: Range): Promise<PostureReport> {
  const heads = await currentHeads();
  const checks = await runChecks(range);
  const byId = new Map(checks.map((c) => [c.id, c]));
  return {
    format: REPORT_FORMAT,
    id: randomUUID(),
    generated_at: new Date().toISOString(),
    node,
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    chain_heads: heads,
    thresholds: POSTURE_THRESHOLDS,
    frameworks: FRAMEWORKS.map((f) => ({
      id: f.id,
      name: f.name,
      version: f.version,
      source: f.source,
      items: f.items.map((i) => ({ ...i, checks: i.checks.map((id) => byId.get(id)!).filter(Boolean) })),
    })),
    checks,
  };
}

/** The node's checkpoint key (created by the node's duties; created here if this is the first use). */
function checkpointKey(dataDir: string) {
  try {
    return loadCheckpointKey(dataDir, true)!;
  } catch (e) {
    // Another process of the node created it at the same moment.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return loadCheckpointKey(dataDir, false)!;
    throw e;
  }
}

/** Signs the report with the node's checkpoint key and publishes the public key (publishedKeys). */
export async function signReport(report: PostureReport, dataDir: string, node: string): Promise<PostureReport> {
  const key = checkpointKey(dataDir);
  await publishKey(key.publicKey, node);
  const { signature: _, ...body } = report;
  const value = sign(null, Buffer.from(canonicalJson(body)), key.privateKey!).toString("base64url");
  return { ...body, signature: { alg: "Ed25519", key_id: key.keyId, value } };
}

const KEYS_SETTING = "checkpoint.public_keys";

export interface PublishedKey {
  kid: string;
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  node: string;
  first_seen: string;
}

/** Records a node's public checkpoint key in the database, so every node publishes every node's key. */
async function publishKey(pub: KeyObject, node: string): Promise<void> {
  const jwk = pub.export({ format: "jwk" });
  const kid = checkpointKeyId(pub);
  const entry: PublishedKey = { kid, kty: "OKP", crv: "Ed25519", x: String(jwk.x), node, first_seen: new Date().toISOString() };
  await getPool().query(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, jsonb_build_object($2::text, $3::jsonb), now())
     ON CONFLICT (key) DO UPDATE SET value = jsonb_build_object($2::text, $3::jsonb) || settings.value, updated_at = now()
     WHERE NOT settings.value ? $2`,
    [KEYS_SETTING, kid, JSON.stringify(entry)],
  );
}

/** Every node's checkpoint public key (this node's registered first), as a JWK set. */
export async function publishedKeys(dataDir: string, node: string): Promise<{ keys: PublishedKey[] }> {
  const own = loadCheckpointKey(dataDir, false);
  if (own) await publishKey(own.publicKey, node);
  const r = await getPool().query<{ value: Record<string, PublishedKey> }>(`SELECT value FROM settings WHERE key = $1`, [KEYS_SETTING]);
  return { keys: Object.values(r.rows[0]?.value ?? {}).sort((a, b) => a.first_seen.localeCompare(b.first_seen)) };
}

export type VerifyResult = { ok: true; key_id: string; node: string } | { ok: false; reason: string };

/** Checks a report's signature with published keys (offline: the keys are a JWK set the caller read). */
export function verifyReport(report: unknown, keys: Array<Pick<PublishedKey, "kid" | "x"> & { node?: string }>): VerifyResult {
  if (typeof report !== "object" || report === null) return { ok: false, reason: "not a JSON object" };
  const r = report as Partial<PostureReport>;
  if (r.format !== REPORT_FORMAT) return { ok: false, reason: `not a ${REPORT_FORMAT} document` };
  const sig = r.signature;
  if (!sig || sig.alg !== "Ed25519" || typeof sig.value !== "string") return { ok: false, reason: "unsigned" };
  const key = keys.find((k) => k.kid === sig.key_id);
  if (!key) return { ok: false, reason: `signed with ${sig.key_id}, which is not among the published keys` };
  const { signature: _, ...body } = r;
  const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key.x }, format: "jwk" });
  let ok = false;
  try {
    ok = verifySignature(null, Buffer.from(canonicalJson(body)), pub, Buffer.from(sig.value, "base64url"));
  } catch {
    ok = false;
  }
  return ok ? { ok: true, key_id: key.kid, node: key.node ?? "" } : { ok: false, reason: "the signature does not match the content: the report was changed" };
}

const MARK = 'id="mandate-posture-report"';

/** The signed report inside an HTML export (or the JSON itself). */
export function extractReport(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith("{")) return JSON.parse(t);
  const start = text.indexOf(MARK);
  if (start < 0) throw new Error("no posture report in this file");
  const open = text.indexOf(">", start) + 1;
  const close = text.indexOf("</script>", open);
  return JSON.parse(text.slice(open, close).replace(/\\u003c/g, "<"));
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const COVERAGE_TEXT: Record<Coverage, string> = { full: "Provided", partial: "Partly provided", none: "Not provided by Mandate" };

/** A self-contained HTML document (print stylesheet: the browser's print makes the PDF). */
export function renderHtml(report: PostureReport, baseUrl: string): string {
  const link = (path: string) => esc(new URL(path, baseUrl).toString());
  const check = (c: CheckResult) =>
    `<li class="check ${c.status}"><a href="${link(c.evidence)}">${esc(c.title)}</a>: <strong>${esc(c.value)}</strong>` +
    ` <span class="kind">(${c.kind === "range" ? "in the range" : "now"})</span><br><small>${esc(c.detail)}${c.status === "attention" && c.fix ? ` — fix: ${esc(c.fix)}` : ""}</small></li>`;
  const frameworks = report.frameworks
    .map(
      (f) => `<section><h2>${esc(f.name)}</h2><p class="meta">Version ${esc(f.version)} · <a href="${esc(f.source)}">${esc(f.source)}</a></p>
<table><thead><tr><th>Item</th><th>Coverage</th><th>Mandate's controls and how this deployment implements them</th><th>Live checks</th></tr></thead><tbody>
${f.items
  .map(
    (i) => `<tr class="cov-${i.coverage}"><th scope="row">${esc(i.id)}<br><span class="title">${esc(i.title)}</span></th><td>${COVERAGE_TEXT[i.coverage]}</td>
<td>${i.controls.length ? `<ul>${i.controls.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>` : ""}<p>${esc(i.implementation)}</p></td>
<td>${i.checks.length ? `<ul>${i.checks.map(check).join("")}</ul>` : "—"}</td></tr>`,
  )
  .join("\n")}
</tbody></table></section>`,
    )
    .join("\n");
  const json = JSON.stringify(report).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mandate posture report ${esc(report.generated_at)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#0f172a}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #cbd5e1;padding:.4rem;vertical-align:top;text-align:left}
thead th{background:#f1f5f9}.title{font-weight:normal}.meta,.kind,small{color:#475569}
.cov-none td:nth-child(2){color:#9a3412;font-weight:600}.check.attention strong{color:#b91c1c}.check.ok strong{color:#15803d}
ul{margin:.2rem 0;padding-left:1.1rem}a{color:#3730a3}
@media print{body{margin:0;font-size:11px}a{color:inherit;text-decoration:none}tr{break-inside:avoid}section{break-before:page}}
</style></head><body>
<h1>Mandate posture report</h1>
<p class="meta">Generated ${esc(report.generated_at)} by node ${esc(report.node)} · range ${esc(report.range.from)} – ${esc(report.range.to)} ·
current figures at audit heads ${report.chain_heads.map((h) => `${esc(h.chain_id.slice(0, 8))}#${h.seq}`).join(", ") || "(empty log)"} ·
${report.signature ? `signed ${esc(report.signature.key_id)} (verify: mandate report verify &lt;this file&gt;)` : "unsigned"}</p>
${frameworks}
<script type="application/json" ${MARK}>${json}</script>
</body></html>
`;
}
