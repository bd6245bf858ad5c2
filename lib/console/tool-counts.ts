import { getPool } from "../db/pool.ts";

export async function toolCounts(): Promise<{ total: number; pending: number; changed: number; blocked: number }> {
  const r = await getPool().query<{ total: number; pending: number; changed: number; blocked: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE change_flag IS NOT NULL)::int AS changed, count(*) FILTER (WHERE blocked_at IS NOT NULL)::int AS blocked FROM tools`,
  );
  return r.rows[0];
}
