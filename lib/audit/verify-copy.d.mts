import type pg from "pg";
import type { RangeResult, RangeTask } from "./verify-range.mjs";

export function verifyRange(client: pg.Client, task: RangeTask, onProgress?: (n: number) => void): Promise<RangeResult>;
