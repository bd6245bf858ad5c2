#!/usr/bin/env node
// The Mandate gateway (MCP enforcement agent). Runs the TypeScript sources through tsx; see docs/gateway.md.
import { register } from "tsx/esm/api";

register();
await import("../gateway/cli.ts");
