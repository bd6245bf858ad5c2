/**
 * What the `mandate` commands for AuthZEN print (cli/commands.ts calls these inside withDatabase, with
 * its context: noNode()):
 * directory import, pack load, PEP key create/revoke. Each calls the same lib/ function as the API.
 */
import { readFileSync } from "node:fs";
import { MandateError } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { importEntities, parseEntities } from "../directory/entities.ts";
import { loadPack } from "./pack.ts";
import { createPepKey, revokePepKey } from "./pep-keys.ts";

export async function directoryImportCommand(rt: NodeContext, file: string, store: string, replace: boolean, actor: string): Promise<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new MandateError(400, "invalid_request", `${file}: ${(e as Error).message}`);
  }
  const r = await importEntities(rt, store, parseEntities(doc), actor, replace ? "replace" : "merge");
  const types =
    Object.entries(r.types)
      .map(([t, n]) => `${n} ${t}`)
      .join(", ") || "none";
  return `Imported ${r.imported} entities into the directory of ${store} (${types})${r.removed ? `; removed ${r.removed}` : ""}`;
}

export async function packLoadCommand(rt: NodeContext, dir: string, replace: boolean, actor: string): Promise<string> {
  const results = await loadPack(rt, dir, actor, { replaceDirectory: replace });
  return results
    .map(
      (r) =>
        `${r.created ? "Created" : "Updated"} store ${r.store}: ${r.entities} directory entities, ${r.tests} pack test(s) passed, policy ${r.policy}${r.published ? " published" : " unchanged"}`,
    )
    .join("\n");
}

export async function pepKeyCreateCommand(rt: NodeContext, store: string, name: string, days: number | undefined, actor: string): Promise<string> {
  const k = await createPepKey(rt, store, name, actor, days);
  return `PEP key ${k.key_id} for store ${store} (expires ${k.expires_at}), shown once:\n${k.key}`;
}

export async function pepKeyRevokeCommand(rt: NodeContext, keyId: string, actor: string): Promise<string> {
  await revokePepKey(rt, keyId, actor);
  return `Revoked ${keyId}`;
}
