/**
 * `POST /api/v1/keys/report-leak`: GitHub's secret-scanning partner format, signed by GitHub or sent with
 * an admin's personal API token (lib/identity/leak-report.ts). The route reads the raw body itself: the
 * signature is over the exact bytes.
 */
import { isUtf8 } from "node:buffer";
import { forbidden, fromZod, MandateError, unauthorized } from "../../errors.ts";
import { leakReportSchema, reportLeaks, verifyGithubSignature } from "../../identity/leak-report.ts";
import type { Principal } from "../../identity/credential-cache.ts";
import { bearer } from "../bearer.ts";
import { crossOrigin, fromSameOrigin } from "../security.ts";
import { actorOf, defineRoute, readBody } from "../route.ts";
import { findInexactBody } from "../../util/exact-json.ts";

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export const leakReportRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/keys/report-leak",
    auth: "none",
    tag: "Identity",
    summary:
      "Report leaked keys (GitHub secret-scanning partner format, signed in Github-Public-Key-Signature, or an admin's token): " +
      "each Mandate key found is revoked on every node; answers [{token_hash, token_type, label}]",
    handler: async ({ rt, req }) => {
      const keyId = header(req.headers["github-public-key-identifier"]);
      const signature = header(req.headers["github-public-key-signature"]);
      let reporter: string;
      const raw = await readBody(req);
      if (keyId !== undefined || signature !== undefined) {
        if (!keyId || !signature) throw unauthorized("a signed leak report needs both Github-Public-Key-Identifier and Github-Public-Key-Signature");
        await verifyGithubSignature(raw, keyId, signature);
        reporter = "github";
      } else {
        const token = bearer(req);
        // An admin's console session (same origin only: a change), or an admin's token.
        const session = token === null && rt.consoleSessions ? await rt.consoleSessions(req) : null;
        if (session && !fromSameOrigin(req, rt.config.publicUrl)) throw crossOrigin();
        let principal: Principal | null = session;
        if (!principal) {
          if (!token) throw unauthorized("a leak report is signed by GitHub (Github-Public-Key-Signature) or sent with an admin's API token");
          const r = await rt.credentials.authenticate(token, req);
          if (!r.ok) throw unauthorized(`credential ${r.failure}`);
          principal = r.principal;
        }
        if (principal.kind !== "user" || principal.role !== "admin") throw forbidden("only admins report leaked keys (or GitHub, signed)");
        reporter = actorOf(principal);
      }
      const ct = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      if (ct !== "application/json") throw new MandateError(415, "unsupported_media_type", "Content-Type must be application/json");
      if (!isUtf8(raw)) throw new MandateError(400, "invalid_encoding", "the body is not valid UTF-8");
      const text = raw.toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new MandateError(400, "malformed_json", `malformed JSON: ${(e as Error).message}`);
      }
      const bad = findInexactBody(parsed, text, null);
      if (bad) throw new MandateError(400, bad.code, `${bad.path}: ${bad.message}`, [{ path: bad.path, message: bad.message }]);
      const report = leakReportSchema.safeParse(parsed);
      if (!report.success) throw fromZod(report.error);
      return reportLeaks(rt, report.data, reporter);
    },
  }),
];
