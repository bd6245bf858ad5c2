/**
 * Is the human a delegation acts for disabled? Checked on every use of a delegation token, so that
 * disabling a user stops everything delegated on their behalf at once, on every node (the change feed
 * reports `users:<id>`, which clears this cache). A subject without a Mandate user (an OIDC identity
 * that never signed in to the console) is not disabled.
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";

const MAX_ENTRIES = 50_000;

export class SubjectStatusCache {
  private disabled = new Map<string, boolean>();
  private generation = 0;

  clear(): void {
    this.disabled.clear();
    this.generation++;
  }

  async isDisabled(email: string): Promise<boolean> {
    const hit = this.disabled.get(email);
    if (hit !== undefined) return hit;
    const gen = this.generation;
    const r = await getPool().query<Row<"users", "disabled_at">>(`SELECT disabled_at FROM users WHERE email = $1`, [email]);
    const disabled = Boolean(r.rows[0]?.disabled_at);
    if (gen === this.generation) {
      if (this.disabled.size >= MAX_ENTRIES) this.disabled.clear();
      this.disabled.set(email, disabled);
    }
    return disabled;
  }
}
