// Hostile configuration files (a pull request controls them): alias bombs of increasing depth, deep
// nesting, 1 MiB files, template bombs. Each is accepted or refused with the file and line of the
// offending spot, zero AWS calls, and under 100 MB of memory for the WHOLE `deployer` process (Node's
// own ~60 MB included; peak RSS measured inside the child by measure-preload.cjs).
//
// No time is asserted here: the "under 1 s of CPU" bound of the README is measured by `npm run bench`
// (row "hostile inputs"), as every speed is. Wall time is only guarded against hangs (timeoutMs).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { HOSTILE_FILES, WITHIN_LIMITS } from "../fixtures/hostile-inputs.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const PRELOAD = path.join(path.dirname(new URL(import.meta.url).pathname), "measure-preload.cjs");
const MAX_RSS_MB = 100;

let sb: Sandbox;
let repo: TempRepo;
let measureDir: string;
beforeAll(async () => {
  sb = await startSandbox({});
  measureDir = mkdtempSync(path.join(tmpdir(), "deployer-measure-"));
});
afterAll(async () => {
  await sb?.stop();
  rmSync(measureDir, { recursive: true, force: true });
});
beforeEach(() => {
  repo?.cleanup();
  repo = exampleRepo();
  sb.admin.clearLog();
});

let runs = 0;
/** `deployer ARGS` in the repo, with its peak memory. */
async function measured(args: string[]): Promise<{ r: CliResult; maxRssMB: number }> {
  const file = path.join(measureDir, `run-${runs++}.json`);
  const r = await runCli(args, {
    cwd: repo.dir,
    sandbox: sb,
    nodeArgs: ["--require", PRELOAD],
    env: { DEPLOYER_TEST_MEASURE: file },
    timeoutMs: 30_000,
  });
  const m = JSON.parse(readFileSync(file, "utf8")) as { maxRssMB: number };
  return { r, maxRssMB: m.maxRssMB };
}

describe("hostile configuration files: refused within the bounds, with file:line, before any AWS call", () => {
  it.each(HOSTILE_FILES)("$name", async (h) => {
    repo.write(h.file, h.content());
    const v = await measured(["validate"]);
    expect(v.r.exitCode, describeRun(v.r)).toBe(1);
    const code = h.file.endsWith(".hbs") ? "TEMPLATE_ERROR" : "CONFIG_INVALID";
    expect(v.r.stderr.split("\n")[0], h.name).toMatch(
      new RegExp(`^error ${code} ${h.file.replace(/[.]/g, "\\.")}:${h.at[0]}:${h.at[1]} `, "m"),
    );
    expect(v.r.stderr).toMatch(h.message);
    expect(v.maxRssMB, `peak memory of deployer validate on ${h.name}`).toBeLessThan(MAX_RSS_MB);

    const r = await measured(["rollout", "--image", "8d1e4b7"]);
    expect(r.r.exitCode, describeRun(r.r)).toBe(1);
    expect(r.r.stderr).toMatch(h.message);
    expect(r.maxRssMB).toBeLessThan(MAX_RSS_MB);
    expect(sb.admin.log()).toEqual([]);
  });
});

describe("files within the limits are accepted within the same bounds", () => {
  it.each(WITHIN_LIMITS)("$name", async ({ edit }) => {
    edit(repo);
    const v = await measured(["validate"]);
    expect(v.r.exitCode, describeRun(v.r)).toBe(0);
    expect(v.maxRssMB).toBeLessThan(MAX_RSS_MB);
  });
});
