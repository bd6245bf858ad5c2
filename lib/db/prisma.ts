/**
 * The single Prisma client. Secret columns (key and token hashes, password hashes, encrypted keys)
 * are omitted by default: code that needs one asks for it explicitly with `omit: { x: false }`.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";
import { getPool } from "./pool.ts";

function create() {
  return new PrismaClient({
    adapter: new PrismaPg(getPool()),
    omit: {
      user: { passwordHash: true },
      apiToken: { tokenHash: true },
      agentKey: { keyHash: true },
      signingKey: { privateJwkEnc: true },
    },
  });
}

export type Db = ReturnType<typeof create>;

export function db(): Db {
  const g = globalThis as { __mandatePrisma?: Db };
  g.__mandatePrisma ??= create();
  return g.__mandatePrisma;
}

export async function disconnectDb(): Promise<void> {
  const g = globalThis as { __mandatePrisma?: Db };
  if (g.__mandatePrisma) await g.__mandatePrisma.$disconnect();
  g.__mandatePrisma = undefined;
}
