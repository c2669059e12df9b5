// Builds the two shipped artefacts:
//  - lib/cli.js (+ chunks): the `deployer` CLI. node_modules stay external and every command is
//    loaded lazily, so `deployer --version` only loads commander.
//  - dist/index.js: the GitHub Action, one self-contained file (committed; test/action/dist-fresh.test.ts
//    rebuilds it with actionBuildOptions and fails when it differs). esbuild output is deterministic for
//    the same sources, options and esbuild version (package-lock pins it).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const only = process.argv[2]; // "cli" | "action" | undefined (both)

export const actionBuildOptions = {
  absWorkingDir: root,
  entryPoints: ["src/action/main.ts"],
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  outfile: "dist/index.js",
  legalComments: "none",
  logLevel: "warning",
  banner: {
    // Some bundled CommonJS dependencies call require(); give them one.
    js: "import { createRequire as __deployerCreateRequire } from 'node:module'; const require = __deployerCreateRequire(import.meta.url);",
  },
};

async function buildCli() {
  await build({
    absWorkingDir: root,
    entryPoints: { cli: "src/cli/main.ts" },
    bundle: true,
    splitting: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "esm",
    outdir: "lib",
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "warning",
  });
}

async function buildAction() {
  const fs = await import("node:fs");
  if (!fs.existsSync(path.join(root, "src/action/main.ts"))) return;
  await build(actionBuildOptions);
}

if (path.resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  if (!only || only === "cli") await buildCli();
  if (!only || only === "action") await buildAction();
}
