-- Resources and prompts join the inventory (issue 15): one table of governed MCP items, told apart by kind.
-- AlterTable
ALTER TABLE "tools" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'tool';

-- DropIndex
DROP INDEX "tools_server_id_name_key";

-- CreateIndex
CREATE UNIQUE INDEX "tools_server_id_kind_name_key" ON "tools"("server_id", "kind", "name");
