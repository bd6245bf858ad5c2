import type pg from "pg";
import type { RangeResult, RangeTask } from "./verify-range.mjs";

export function verifyRange(client: pg.Client, task: RangeTask, onProgress?: (n: number) => void): Promise<RangeResult>;
/** How a connection's ranges are read (see verify-copy.mjs); `force` "text" where "raw" would be used. */
export function readMode(client: pg.Client, force?: "text"): Promise<"raw" | "text" | "reference">;
