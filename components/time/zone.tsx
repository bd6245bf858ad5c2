"use client";

import { createContext, useContext } from "react";
import { UTC, type DisplayZone } from "@/lib/console/time";

const ZoneContext = createContext<DisplayZone>(UTC);

/**
 * The signed-in user's display zone (users.display_time_zone) for every timestamp below it. The server
 * passes the stored setting, so the server's HTML and the hydrated page show the same text.
 */
export function ZoneProvider({ zone, children }: { zone: DisplayZone; children: React.ReactNode }) {
  return <ZoneContext.Provider value={zone}>{children}</ZoneContext.Provider>;
}

export function useDisplayZone(): DisplayZone {
  return useContext(ZoneContext);
}
