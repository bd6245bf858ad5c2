/**
 * Every command answers `--help` / `-h` (issue 16): the usage on stdout, exit 0, nothing on stderr, and
 * nothing started — no DATABASE_URL and an empty MANDATE_DATA_DIR that must stay empty (an embedded
 * PostgreSQL would be created there). The `mandate` commands come from the CLI's own table, so a new one
 * is covered at once; the npm scripts from package.json (each one that runs this repository's code).
 * Each mandate command is run in this process through the CLI's main(); the binaries and the scripts
 * are run as processes, the way a user runs them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { commands } from "../../cli/commands.ts";
import { main } from "../../cli/main.ts";
import { ROOT } from "../support/mandate.ts";

const dataDir = mkdtempSync(join(tmpdir(), "mandate-help-"));
const env: NodeJS.ProcessEnv = { ...process.env, MANDATE_DATA_DIR: dataDir, PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env.PATH}` };
delete env.DATABASE_URL;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Process groups still running: a command that ignored --help and started something is ended with its children. */
const running = new Set<number>();
afterAll(() => {
  for (const pid of running) process.kill(-pid, "SIGKILL");
});

/** A command line as npm runs a script (`sh -c`, node_modules/.bin on the PATH), in a process group of its own. */
function sh(command: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (child.pid) running.add(child.pid);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      running.delete(child.pid!);
      resolve({ code, out, err });
    });
  });
}

/** In this process: main() with stdout and stderr captured. */
async function cli(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function expectHelp(r: Run, usage: string | RegExp): void {
  expect(r.err, r.err).toBe("");
  expect(r.code).toBe(0);
  if (typeof usage === "string") expect(r.out).toContain(usage);
  else expect(r.out).toMatch(usage);
  expect(readdirSync(dataDir)).toEqual([]);
}

describe("mandate <command> --help", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.MANDATE_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    process.env.MANDATE_DATA_DIR = saved.MANDATE_DATA_DIR;
    if (saved.DATABASE_URL !== undefined) process.env.DATABASE_URL = saved.DATABASE_URL;
  });

  it.each(Object.keys(commands))("mandate %s --help / -h", async (name) => {
    const words = name.split(" ");
    const usage = `usage: mandate ${name}`;
    expectHelp(await cli([...words, "--help"]), usage);
    expectHelp(await cli([...words, "-h"]), usage);
    // Help wins over anything else on the line, and `mandate help <command>` says the same.
    expectHelp(await cli([...words, "--no-such-option", "x", "--help"]), usage);
    expectHelp(await cli(["help", ...words]), usage);
    expect((await cli(["help", ...words])).out).toContain(commands[name].summary);
  });

  it("a group lists its commands; an unknown option or command is still an error (exit 2)", async () => {
    const group = await cli(["agents", "--help"]);
    expectHelp(group, "mandate agents create");
    expect(group.out).not.toContain("mandate users create");
    const bad = await cli(["users", "create", "--bogus"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Unknown option '--bogus'");
    expect(bad.err).toContain("usage: mandate users create");
    expect(bad.out).toBe("");
    const unknown = await cli(["nope", "--help"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown command: nope --help");
    const unknownTopic = await cli(["help", "nope"]);
    expect(unknownTopic.code).toBe(2);
    expect(unknownTopic.err).toContain("Unknown command: nope");
    expectHelp(await cli([]), "mandate users create");
    expectHelp(await cli(["help"]), "mandate users create");
  });
});

describe("the binaries and the npm scripts answer --help", () => {
  it("bin/mandate.mjs and bin/mandate-gateway.mjs, as processes", async () => {
    const [users, start, gw, gwMode, gwShort] = await Promise.all([
      sh("node bin/mandate.mjs users create --help"),
      sh("node bin/mandate.mjs start -h"),
      sh("node bin/mandate-gateway.mjs --help"),
      sh("node bin/mandate-gateway.mjs stdio --server x --help"),
      sh("node bin/mandate-gateway.mjs http -h"),
    ]);
    expectHelp(users, "usage: mandate users create --email E");
    expectHelp(start, "usage: mandate start");
    for (const r of [gw, gwMode, gwShort]) expectHelp(r, "mandate-gateway stdio --server <id>");
    // After `--`, --help belongs to the upstream command, not to the gateway.
    const upstream = await sh("MANDATE_URL= node bin/mandate-gateway.mjs stdio --server x -- node --help");
    expect(upstream.code).toBe(2);
    expect(upstream.out).toBe("");
  });

  const scripts = Object.entries(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>).filter(([, cmd]) =>
    /(^|\s)(tsx|node) (bin|scripts|bench|gateway|cli)\//.test(cmd),
  );

  it("package.json has the scripts this test expects to find", () => {
    expect(scripts.map(([name]) => name)).toEqual(expect.arrayContaining(["seed:history", "demo:agent", "bench", "gateway", "start"]));
  });

  it.concurrent.each(scripts)("npm run %s -- --help", async (_name, cmd) => {
    const r = await sh(`${cmd} --help`);
    expectHelp(r, /usage/i);
  });
});
