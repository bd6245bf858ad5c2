#!/usr/bin/env node
// The `mandate` CLI: registers tsx so the TypeScript sources run as they are, then runs cli/main.ts.
import { register } from "tsx/esm/api";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

register();
// Relative paths in the environment are relative to where the command was run.
if (process.env.MANDATE_DATA_DIR) process.env.MANDATE_DATA_DIR = resolve(process.env.MANDATE_DATA_DIR);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(process.env.MANDATE_CWD ?? root);
const { main } = await import(pathToFileURL(join(root, "cli", "main.ts")).href);
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exit(code);
