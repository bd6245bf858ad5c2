/**
 * Imported before any zod schema that browser code builds: the console's Content-Security-Policy has no
 * 'unsafe-eval', and zod 4 otherwise probes `new Function` (for its compiled fast path) when an object
 * schema is created, which the browser reports as a CSP violation. Interpreted parsing gives the same answers.
 */
import { z } from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });
