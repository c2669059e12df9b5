// Issue 15, "installable": the npm package exactly as a user gets it. From a copy of the working
// tree without lib/ (what a fresh clone has), `npm pack`; then, in an empty deploy repository (a
// directory with a package.json), `npm install <tarball>` with its dependencies from the registry
// as usual (--prefer-offline: the npm cache answers what it holds, so it stays fast); then
// `npx deployer --version` and `--help`, and real commands (validate, and plan against the
// sandbox) through what was installed.
//
// The copy is packed, not the repository itself: packing runs the `prepare` build, which rewrites
// lib/ while other test files run it.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { projectRoot } from "../fixtures/config/repo.js";

/** Top-level entries of the working tree that a fresh clone does not have (.gitignore) or that are not the project. */
const NOT_IN_A_CLONE = new Set(["node_modules", "lib", ".git", "coverage", "tmp", ".deployer"]);

const sourcePkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: the parent's, minus what `npm test` exports about this project
 * (npm_package_*, npm_lifecycle_*, its prefix…) and minus AWS_*; the npm cache, registry and user
 * config stay, so CI's npm settings apply. npx never downloads (npm_config_yes=false): a `deployer`
 * that is not installed must fail here, not run the registry's unrelated package of that name.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("AWS_") || k === "INIT_CWD" || (k.startsWith("npm_") && !keep.has(k))) continue;
    env[k] = v;
  }
  return { ...env, npm_config_yes: "false", npm_config_update_notifier: "false", NO_COLOR: "1", ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, env = userEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr: stderr + (err && code === null ? `\n(${err.message})` : "") });
    });
  });
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

let work: string; // everything of this test lives under it
let repo: string; // the user's deploy repository
let packed: { filename: string; files: Array<{ path: string }> };
let installed: string; // node_modules/<name> in the user's repository
const timings: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "deployer-package-"));
  const clone = path.join(work, "clone");
  cpSync(projectRoot, clone, {
    recursive: true,
    filter: (src) => !NOT_IN_A_CLONE.has(path.relative(projectRoot, src).split(path.sep)[0] ?? ""),
  });
  // The clone's `npm ci`: its devDependencies (esbuild for the build) are the repository's.
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(clone, "node_modules"), "dir");

  let t = Date.now();
  const packDir = path.join(work, "pack");
  mkdirSync(packDir);
  const pack = await run(npm, ["pack", "--json", "--pack-destination", packDir], clone, 120_000);
  if (pack.code !== 0) throw new Error(`npm pack failed (${pack.code}):\n${pack.stderr}\n${pack.stdout}`);
  [packed] = JSON.parse(pack.stdout) as [typeof packed];
  timings.push(`pack ${Date.now() - t} ms`);

  repo = path.join(work, "my-deploy-repo");
  mkdirSync(repo);
  writeFileSync(path.join(repo, "package.json"), JSON.stringify({ name: "my-deploy-repo", private: true }, null, 2) + "\n");
  t = Date.now();
  const install = await run(
    npm,
    ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(packDir, packed.filename)],
    repo,
    300_000,
  );
  if (install.code !== 0) throw new Error(`npm install of the tarball failed (${install.code}):\n${install.stderr}\n${install.stdout}`);
  timings.push(`install ${Date.now() - t} ms`);
  installed = path.join(repo, "node_modules", sourcePkg.name);
}, 600_000);

afterAll(() => {
  if (timings.length > 0) process.stdout.write(`package.test.ts: ${timings.join(", ")}\n`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds what runs and nothing else: package.json, README, bin/, the built lib/, schemas/", () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toContain("bin/deployer.js");
    expect(files).toContain("lib/cli.js");
    expect(files.some((f) => f.startsWith("lib/chunks/"))).toBe(true);
    expect(files).toContain("schemas/deployer.schema.json");
    const outside = files.filter(
      (f) => !/^(package\.json|README\.md|LICENSE(\.\w+)?|bin\/[^/]+\.js|lib\/.+\.js|schemas\/[^/]+\.schema\.json)$/.test(f),
    );
    expect(outside).toEqual([]);
  });

  it("is named for the registry, with the `deployer` command", () => {
    const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as typeof sourcePkg;
    expect(pkg.name).not.toBe("deployer"); // taken on the registry by an unrelated package
    expect(pkg.name).toBe(sourcePkg.name);
    expect(pkg.bin).toEqual({ deployer: "bin/deployer.js" });
  });

  it("imports at run time only Node built-ins and its own dependencies, all installed", () => {
    const deps = new Set(Object.keys(sourcePkg.dependencies));
    const builtins = new Set(builtinModules);
    const specifiers = new Set<string>();
    const lib = path.join(installed, "lib");
    for (const entry of readdirSync(lib, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
      const code = readFileSync(path.join(entry.parentPath, entry.name), "utf8");
      // Static imports and re-exports (esbuild writes them at the start of a line), side-effect
      // imports, dynamic imports and require() calls.
      const patterns = [
        /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
        /^\s*import\s*["']([^"']+)["']/gm,
        /\bimport\(\s*["']([^"']+)["']\s*\)/g,
        /\brequire\(\s*["']([^"']+)["']\s*\)/g,
      ];
      for (const re of patterns) for (const m of code.matchAll(re)) if (!m[1]!.startsWith(".")) specifiers.add(m[1]!);
    }
    expect(specifiers.size).toBeGreaterThan(5);
    const packages = [...specifiers].filter((s) => !s.startsWith("node:") && !builtins.has(s));
    const names = [
      ...new Set(
        packages.map((s) =>
          s
            .split("/")
            .slice(0, s.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
      ),
    ].sort();
    expect(names.filter((n) => !deps.has(n))).toEqual([]);
    // …and npm installed each of them where the CLI resolves them from.
    const missing = names.filter((n) => {
      try {
        readFileSync(path.join(repo, "node_modules", n, "package.json"));
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });
});

describe("installed into an empty deploy repository", () => {
  it("`npx deployer --version` prints the package's version", async () => {
    const r = await run(npx, ["deployer", "--version"], repo, 60_000);
    expect(r.stderr).not.toContain("missing");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(sourcePkg.version);
  });

  it("`npx deployer --help` teaches the commands", async () => {
    const r = await run(npx, ["deployer", "--help"], repo, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: deployer /);
    for (const cmd of ["validate", "plan", "rollout", "promote", "status"]) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
  });

  it("without a deployer.yaml, says so (the command runs, it does not crash)", async () => {
    const r = await run(npx, ["deployer", "validate"], repo, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deployer\.yaml/);
    expect(r.stderr).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
  });

  describe("with the example configuration", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      for (const entry of ["deployer.yaml", "environments", "templates"]) {
        cpSync(path.join(projectRoot, entry), path.join(repo, entry), { recursive: true });
      }
      sandbox = await startSandbox({ port: 0 });
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    it("`npx deployer validate` loads, validates and renders every target", async () => {
      const r = await run(npx, ["deployer", "validate"], repo, 60_000);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^8 targets valid/m); // 4 environments × 2 services
    });

    it("`npx deployer plan` talks to AWS (the sandbox) through the installed SDK", async () => {
      const env = userEnv({
        CI: "1",
        AWS_ENDPOINT_URL: sandbox.endpoint,
        AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
        AWS_REGION: "eu-west-1",
        AWS_CONFIG_FILE: path.join(work, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-aws-config"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      });
      const r = await run(npx, ["deployer", "plan", "--image", "8d1e4b7", "--stage", "dev"], repo, 60_000, env);
      expect(r.stderr).not.toMatch(/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\bdev\b/);
      expect(r.stdout).toMatch(/8d1e4b7|sha256:/);
    });
  });
});
