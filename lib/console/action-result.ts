/**
 * The result of a console server action: data, or an error that says what happened (never a stack).
 * Authorization is not handled here: actions call requireUser(roles) first, which redirects or answers
 * 403 before any of this runs.
 */
import { ZodError } from "zod";
import { MandateError, zodIssues } from "../errors.ts";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; problems?: Array<{ path: string; message: string }> };

export async function toResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    if (err instanceof ZodError) {
      const problems = zodIssues(err);
      return { ok: false, error: problems.map((p) => `${p.path}: ${p.message}`).join("; "), problems };
    }
    if (err instanceof MandateError) return { ok: false, error: err.message, problems: err.errors };
    console.error("[console] action failed:", err);
    return { ok: false, error: "Something went wrong on the server; the change was not made. Try again, or check the server log." };
  }
}

/** `user:<email>`, the actor recorded in the audit log for console actions. */
export const actorOf = (u: { email: string }) => `user:${u.email}`;
