import { cache } from "react";
import { getSession } from "@/lib/sessions/queries";

/** The session of this request, read once for the layout's 404 check and the page below it. */
export const loadSession = cache(getSession);
