/**
 * Demo MCP server "files": read, write and delete text files inside one sandbox directory.
 *   DEMO_FILES_ROOT  sandbox directory (created if missing; default: a fresh temp dir with sample files)
 * Run: npx tsx examples/mcp-servers/files.ts
 */
import { lstat, mkdir, mkdtemp, open, realpath, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { intArg, requiredString, serveDemo, ToolError } from "./serve.ts";

async function sandboxRoot(): Promise<string> {
  const configured = process.env.DEMO_FILES_ROOT;
  if (configured) {
    await mkdir(configured, { recursive: true });
    return realpath(configured);
  }
  const dir = await realpath(await mkdtemp(join(tmpdir(), "mandate-demo-files-")));
  await mkdir(join(dir, "notes"));
  await writeFile(join(dir, "README.txt"), "Sandbox of the Mandate demo files server.\n");
  await writeFile(join(dir, "notes", "q3-plan.md"), "# Q3 plan\n\n- Migrate billing to the new provider\n- Renew the support contract with Northwind\n");
  return dir;
}

const root = await sandboxRoot();

function inside(path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Resolve a user path to an absolute path inside the sandbox, following symlinks of what exists. */
async function sandboxPath(userPath: string): Promise<string> {
  if (userPath.includes("\u0000")) throw new ToolError("Path contains a NUL character");
  if (isAbsolute(userPath)) throw new ToolError(`Absolute paths are not allowed: ${userPath}`);
  const target = resolve(root, userPath);
  if (!inside(target) || target === root) throw new ToolError(`Path is outside the sandbox: ${userPath}`);
  // The nearest existing ancestor (or the target itself) must really be inside the sandbox too.
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!inside(real)) throw new ToolError(`Path is outside the sandbox (via a symbolic link): ${userPath}`);
      return existing === target ? real : target;
    } catch (err) {
      if (err instanceof ToolError) throw err;
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      existing = dirname(existing);
    }
  }
}

function notFound(err: unknown, userPath: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") throw new ToolError(`No such file: ${userPath}`);
  if (code === "EISDIR") throw new ToolError(`Is a directory: ${userPath}`);
  throw err;
}

await serveDemo("files", {
  async read_file(args) {
    const userPath = requiredString(args, "path", 1024);
    const maxBytes = intArg(args, "max_bytes", 1, 1_048_576, 65_536);
    const path = await sandboxPath(userPath);
    const handle = await open(path, "r").catch((err) => notFound(err, userPath));
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ToolError(`Not a regular file: ${userPath}`);
      const size = stats.size;
      const buffer = Buffer.alloc(Math.min(size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString("utf8");
      return size > maxBytes ? `${text}\n[truncated: ${size} bytes, showing the first ${maxBytes}]` : text;
    } finally {
      await handle.close();
    }
  },

  async write_file(args) {
    const userPath = requiredString(args, "path", 1024);
    const content = requiredString(args, "content", 1_048_576);
    const path = await sandboxPath(userPath);
    const existed = await lstat(path).then(
      (s) => {
        if (s.isDirectory()) throw new ToolError(`Is a directory: ${userPath}`);
        return true;
      },
      () => false,
    );
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, "utf8");
    return `${existed ? "Replaced" : "Created"} ${userPath} (${Buffer.byteLength(content)} bytes)`;
  },

  async delete_file(args) {
    const userPath = requiredString(args, "path", 1024);
    const path = await sandboxPath(userPath);
    const stats = await lstat(path).catch((err) => notFound(err, userPath));
    if (stats.isDirectory()) throw new ToolError(`Refusing to delete a directory: ${userPath}`);
    await unlink(path);
    return `Deleted ${userPath}`;
  },
});
