/**
 * The posture report (issue 20 §3) on a real node: figures computed from the data (a change in the data
 * changes the figure), the signature checked offline by `mandate report verify` with the published keys
 * (and refused once a figure is edited), the HTML export verifies too, roles and bad input.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";
import { createApiToken, createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { tmpdir } from "node:os";
import { mkdtempSync } from "node:fs";
import { printPdf } from "../../lib/posture/pdf.ts";

let m: MandateHandle;
let viewerToken: string;
const dir = mkdtempSync(join(tmpdir(), "mandate-posture-"));

type Check = { id: string; value: string; status: string; evidence: string };
type Report = {
  checks: Check[];
  frameworks: Array<{ id: string; items: Array<{ id: string; coverage: string; checks: Check[] }> }>;
  signature: { key_id: string };
};

const report = async (query = "") => {
  const r = await api(m.url, m.adminToken, "GET", `/api/v1/posture/report${query}`);
  expect(r.status).toBe(200);
  return r.body as Report;
};
const check = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

const cli = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

beforeAll(async () => {
  m = await startMandate();
  const viewer = await createUser(noNode(), { email: "viewer@posture.test", role: "viewer", password: "pw-viewer-posture-1" }, "test:setup");
  viewerToken = (await createApiToken(noNode(), viewer.id, "posture", "test:setup", 1)).secret;
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("posture report", () => {
  it("maps every framework item, and its figures follow the data", async () => {
    const before = await report();
    expect(before.frameworks.map((f) => [f.id, f.items.length])).toEqual([
      ["owasp-asi", 10],
      ["owasp-nhi", 10],
      ["nist-800-207", 7],
    ]);
    // Items Mandate does not address say so.
    expect(before.frameworks[1].items.find((i) => i.id === "NHI3")).toMatchObject({ coverage: "none", checks: [] });

    const noOwner = Number(check(before, "agents.no_owner").value);
    const decisions = Number(check(before, "decisions.range").value);
    expect(check(before, "audit.verified").value).toBe("never");

    // An agent without an owner, a decision, an audit verification: three figures move.
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/agents", { name: "posture-orphan" })).status).toBe(201);
    const key = m.credentials!.agents.find((a) => a.name === "support-assistant")!.api_key;
    const d = await api(m.url, key, "POST", "/api/v1/decisions", {
      session: { id: "posture-1" },
      tool: { server: "files", name: "read_file" },
      arguments: { path: "a" },
    });
    expect(d.status).toBe(200);
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/audit/verify", { mode: "full" })).status).toBe(200);

    const after = await report();
    expect(Number(check(after, "agents.no_owner").value)).toBe(noOwner + 1);
    expect(check(after, "agents.no_owner").status).toBe("attention");
    expect(Number(check(after, "decisions.range").value)).toBeGreaterThanOrEqual(decisions + 1);
    expect(check(after, "audit.verified").value).toMatch(/^ok at 20/);
    expect(check(after, "decisions.range").evidence).toMatch(/^\/audit\?/);

    // A range that ends before the decision does not count it: range figures come from the log.
    const old = await report(`?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`);
    expect(check(old, "decisions.range").value).toBe("0");
  });

  it("is signed: mandate report verify accepts it with the published keys, and refuses an edited figure", async () => {
    const signed = await report();
    const keys = await api(m.url, "", "GET", "/.well-known/mandate-checkpoint-keys.json");
    expect(keys.status).toBe(200);
    expect(keys.body.keys.map((k: { kid: string }) => k.kid)).toContain(signed.signature.key_id);
    writeFileSync(join(dir, "keys.json"), JSON.stringify(keys.body));
    writeFileSync(join(dir, "report.json"), JSON.stringify(signed));
    const tampered = structuredClone(signed);
    check(tampered, "agents.no_owner").value = "0";
    writeFileSync(join(dir, "tampered.json"), JSON.stringify(tampered));
    const html = await fetch(`${m.url}/api/v1/posture/report?format=html`, { headers: { authorization: `Bearer ${m.adminToken}` } });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toContain("text/html");
    const text = await html.text();
    expect(text).toContain("OWASP Top 10 for Agentic Applications");
    writeFileSync(join(dir, "report.html"), text);

    const ok = await cli("report", "verify", join(dir, "report.json"), "--keys", join(dir, "keys.json"));
    expect(ok, ok.out).toMatchObject({ code: 0 });
    expect(ok.out).toContain("Verified");
    const okHtml = await cli("report", "verify", join(dir, "report.html"), "--keys", `${m.url}/.well-known/mandate-checkpoint-keys.json`);
    expect(okHtml, okHtml.out).toMatchObject({ code: 0 });
    const bad = await cli("report", "verify", join(dir, "tampered.json"), "--keys", join(dir, "keys.json"));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("NOT VERIFIED");
  });

  it("refuses viewers, bad ranges, and PDF without a configured Chromium", async () => {
    expect((await api(m.url, viewerToken, "GET", "/api/v1/posture/report")).status).toBe(403);
    expect((await api(m.url, m.adminToken, "GET", "/api/v1/posture/report?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")).status).toBe(400);
    expect((await api(m.url, m.adminToken, "GET", "/api/v1/posture/report?format=xml")).status).toBe(400);
    const pdf = await api(m.url, m.adminToken, "GET", "/api/v1/posture/report?format=pdf");
    expect(pdf.status).toBe(501);
    expect(JSON.stringify(pdf.body)).toContain("MANDATE_CHROMIUM");
  });

  it("prints to PDF with the Chromium that MANDATE_CHROMIUM names (Debian's, which .ci/run installs)", async () => {
    const html = await (await fetch(`${m.url}/api/v1/posture/report?format=html`, { headers: { authorization: `Bearer ${m.adminToken}` } })).text();
    const pdf = await printPdf(process.env.MANDATE_CHROMIUM ?? "/usr/bin/chromium", html);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(20_000); // the report's pages, not an empty document
  });
});
