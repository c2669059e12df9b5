#!/usr/bin/env node
// The `deployer` command. lib/ is built by `npm ci` / `npm install` (the package's `prepare` script).
import { existsSync } from "node:fs";
const entry = new URL("../lib/cli.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("deployer: lib/cli.js is missing; run `npm run build` (npm ci does it for you).\n");
  process.exit(1);
}
await import(entry.href);
