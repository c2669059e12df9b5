// Builds the two shipped artefacts:
//  - lib/cli.js (+ chunks): the `deployer` CLI. node_modules stay external and every command is
//    loaded lazily, so `deployer --version` only loads commander.
//  - dist/index.js: the GitHub Action, one self-contained file (committed; test/action/dist-matches-source.test.ts
//    rebuilds it with actionBuildOptions and fails when it differs). esbuild output is deterministic for
//    the same sources, options and esbuild version (package-lock pins it).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const only = process.argv[2]; // "cli" | "action" | undefined (both)

// Code the Action never runs, replaced by small stand-ins so its bundle does not carry it (issue: a
// smaller attack surface), and it stays one self-contained file:
//  - @aws-sdk/credential-provider-node: every SDK client imports the default credential chain (and
//    through it the SSO, profile, process and login providers) as its fallback. The Action hands
//    every client its credentials (src/action/aws-credentials.ts); the stand-in says so if reached.
//  - bowser: the SDK's browser user-agent parser, imported only in a browser.
//  - source-map: Handlebars requires it inside a try/catch for source maps of compiled templates,
//    which deployer never asks for; without it Handlebars uses its own stand-in.
const STAND_INS = {
  "@aws-sdk/credential-provider-node":
    "export const defaultProvider = () => async () => { throw new Error('deployer: the AWS SDK default credential chain is not part of the Action; every client is given its credentials'); };",
  bowser: "export const parse = () => ({}); export default { parse };",
  "source-map": "module.exports = {};",
};
const standIns = {
  name: "deployer-stand-ins",
  setup(b) {
    const filter = new RegExp(
      `^(${Object.keys(STAND_INS)
        .map((k) => k.replace(/[/.@-]/g, "\\$&"))
        .join("|")})$`,
    );
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: "deployer-stand-in" }));
    b.onLoad({ filter: /.*/, namespace: "deployer-stand-in" }, (args) => ({ contents: STAND_INS[args.path], loader: "js" }));
  },
};

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
  // The ES-module builds of packages that ship both (the AWS SDK): esbuild can drop what deployer
  // never calls from those, while a CommonJS build comes in whole (every credential provider of
  // @aws-sdk/credential-providers, the clients' browser user-agent parser…).
  mainFields: ["module", "main"],
  plugins: [standIns],
  banner: {
    // Some bundled CommonJS dependencies call require(); give them one.
    js: "import { createRequire as __deployerCreateRequire } from 'node:module'; const require = __deployerCreateRequire(import.meta.url);",
  },
};

async function buildCli() {
  const result = await build({
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
    metafile: true,
  });
  // Chunk names carry a content hash, so every change leaves the previous build's chunks behind;
  // lib/ is what the npm package ships (package.json "files"), so remove whatever this build did
  // not write.
  const fs = await import("node:fs");
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(root, f)));
  for (const entry of fs.readdirSync(path.join(root, "lib"), { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && !written.has(file)) fs.rmSync(file);
  }
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
