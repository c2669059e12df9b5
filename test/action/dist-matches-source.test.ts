// dist/index.js is committed (the runner executes it without installing anything), so it must be
// exactly what the sources build to: rebuild with the same esbuild options into a temp file and
// compare, as GitHub's TypeScript action template does in CI.
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isBuiltin } from "node:module";
import { build, type BuildOptions } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../fixtures/config/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "deployer-dist-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function buildOptions(): Promise<BuildOptions> {
  const mod = (await import(pathToFileURL(path.join(projectRoot, "scripts/build.mjs")).href)) as { actionBuildOptions: BuildOptions };
  return mod.actionBuildOptions;
}

describe("dist/index.js", () => {
  it("is what the sources build to (else: dist/ is stale: run npm run build)", async () => {
    const committed = path.join(projectRoot, "dist/index.js");
    expect(existsSync(committed), "dist/index.js is missing: run npm run build").toBe(true);
    const outfile = path.join(tmp, "index.js");
    await build({ ...(await buildOptions()), outfile, logLevel: "silent" });
    const fresh = readFileSync(outfile, "utf8");
    const current = readFileSync(committed, "utf8");
    // Not toBe(): a 4 MB diff helps nobody; say what to do.
    expect(current === fresh, "dist/ is stale: run npm run build (and commit dist/index.js)").toBe(true);
  });

  it("builds deterministically: two builds are byte-identical", async () => {
    const options = await buildOptions();
    const a = path.join(tmp, "a.js");
    const b = path.join(tmp, "b.js");
    await build({ ...options, outfile: a, logLevel: "silent" });
    await build({ ...options, outfile: b, logLevel: "silent" });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it("is one self-contained file: it imports Node built-ins only", () => {
    const text = readFileSync(path.join(projectRoot, "dist/index.js"), "utf8");
    const specifiers = [...text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !isBuiltin(s))).toEqual([]);
    // Calls in code (not the ones quoted inside strings, e.g. Ajv's generated-code snippets).
    const required = [...text.matchAll(/(?<=[\s=(,;!])(?:__require|require)\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
    expect(required).toContain("node:events");
    expect(required.filter((s) => !isBuiltin(s))).toEqual([]);
    expect(text).not.toContain(projectRoot);
  });
});
