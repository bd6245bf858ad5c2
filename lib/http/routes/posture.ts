/**
 * The posture report (lib/posture): JSON, HTML (print it for a PDF), or PDF where MANDATE_CHROMIUM points
 * at a Chromium; and the checkpoint public keys that verify it.
 */
import { z } from "zod";
import { env } from "../../env.ts";
import { MandateError } from "../../errors.ts";
import { printPdf } from "../../posture/pdf.ts";
import { buildReport, publishedKeys, renderHtml, signReport } from "../../posture/report.ts";
import { defineRoute, reply } from "../route.ts";

const DAY = 86_400_000;

const reportQuery = z
  .object({
    format: z.enum(["json", "html", "pdf"]).default("json"),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const postureRoutes = [
  defineRoute({
    method: "GET",
    path: "/api/v1/posture/report",
    auth: "user",
    roles: ["admin", "analyst"],
    query: reportQuery,
    tag: "Posture",
    summary: "The posture report (OWASP ASI, OWASP NHI, NIST SP 800-207 with live checks), signed with the node's checkpoint key",
    handler: async ({ rt, query }) => {
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
      if (!(from < to)) throw new MandateError(400, "invalid_range", "from must be before to");
      if (to.getTime() - from.getTime() > 366 * DAY) throw new MandateError(400, "invalid_range", "the range is at most 366 days");
      const chromium = env().MANDATE_CHROMIUM;
      if (query.format === "pdf" && !chromium)
        throw new MandateError(
          501,
          "pdf_not_configured",
          "PDF export needs MANDATE_CHROMIUM (a Chromium binary); print the HTML export from a browser instead",
        );
      const report = await signReport(await buildReport(rt.config.node, { from, to }), env().dataDir, rt.config.node);
      const stamp = report.generated_at.replace(/[:.]/g, "-");
      if (query.format === "json")
        return reply({ body: report, headers: { "Content-Disposition": `inline; filename="mandate-posture-${stamp}.json"`, "Cache-Control": "no-store" } });
      const html = renderHtml(report, rt.config.publicUrl);
      if (query.format === "html")
        return reply({
          headers: {
            "Content-Type": "text/html; charset=utf-8",
            // Its own styles only: nothing runs (the embedded JSON is data).
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Content-Disposition": `inline; filename="mandate-posture-${stamp}.html"`,
            "Cache-Control": "no-store",
          },
          stream: async (res) => void res.write(html),
        });
      const pdf = await printPdf(chromium!, html);
      return reply({
        headers: {
          "Content-Type": "application/pdf",
          "Content-Disposition": `attachment; filename="mandate-posture-${stamp}.pdf"`,
          "Cache-Control": "no-store",
        },
        stream: async (res) => void res.write(pdf),
      });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/.well-known/mandate-checkpoint-keys.json",
    auth: "none",
    tag: "Posture",
    summary: "The Ed25519 public keys of every node's checkpoints and posture reports (JWK set with key ids and nodes)",
    handler: async ({ rt }) => reply({ body: await publishedKeys(env().dataDir, rt.config.node), headers: { "Cache-Control": "public, max-age=60" } }),
  }),
];
