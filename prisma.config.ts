import { defineConfig } from "prisma/config";

// The Prisma CLI reads DATABASE_URL only for commands that talk to a database (e.g. `prisma studio`).
// Mandate applies migrations itself at start-up (lib/db/migrate.ts), so `prisma generate` needs none.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/mandate" },
});
