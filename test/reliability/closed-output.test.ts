// Output that cannot be written never interrupts the work: `deployer rollout | head -1` deploys to the
// end (the sandbox sees the wait through to COMPLETED), writes its report and exits with the rollout's
// own code; a failing stdout (/dev/full) likewise; no command prints a stack trace for a closed pipe.
// Output files are checked before anything is read or written, and promote without a terminal and
// without --yes stops before the first AWS call.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const DEV = { account: "222222222222", region: "eu-west-1", cluster: "shop-dev", service: "api" };

let sb: Sandbox;
let repo: TempRepo;
let since = 0;
const settledEvents: Array<{ account: string; cluster: string; rolloutState: string; at: number }> = [];
beforeAll(async () => {
  sb = await startSandbox({ deploymentSeconds: 1 });
  sb.admin.onDeploymentSettled((e) => settledEvents.push(e));
});
afterAll(() => sb?.stop());
beforeEach(() => {
  repo?.cleanup();
  repo = exampleRepo();
  sb.admin.clearLog();
  since = Date.now();
});

/** `deployer ARGS | head -N` in bash; the exit code is deployer's own (PIPESTATUS). */
function piped(args: string[], shell: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, {
    cwd: repo.dir,
    sandbox: sb,
    env: { DEPLOYER_POLL_INTERVAL_MS: "100", ...env },
    wrapper: ["bash", "-c", `"$@" ${shell}; exit \${PIPESTATUS[0]}`, "deployer-in-a-pipe"],
    timeoutMs: 60_000,
  });
}

const NO_STACK = /EPIPE|ENOSPC|Unhandled 'error' event|^\s+at .*\(.*:\d+:\d+\)$/m;

/** The deployment deployer started in dev settled COMPLETED, and deployer polled the service after that. */
function waitedToTheEnd(): void {
  const settled = settledEvents.filter((d) => d.account === DEV.account && d.cluster === DEV.cluster && d.at >= since);
  expect(settled.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
  const polls = sb.admin.log({ account: DEV.account, action: "DescribeServices" }).map((e) => Date.parse(e.time));
  expect(Math.max(...polls)).toBeGreaterThanOrEqual(settled[0]!.at - 5);
  const writes = sb.admin
    .log({ account: DEV.account })
    .filter((e) => ["RegisterTaskDefinition", "UpdateService"].includes(e.action))
    .map((e) => e.action);
  expect(writes).toEqual(["RegisterTaskDefinition", "UpdateService"]);
}

// The sandbox keeps its state between tests: each rollout deploys an image dev does not run yet
// (8d1e4b7, c0ffee1, bad0001 which ECS rolls back to c0ffee1, then 8d1e4b7 again).
describe("a closed or failing stdout", () => {
  it("rollout | head -1: the deployment goes to the end, the report is written, exit 0, no stack trace", async () => {
    const report = path.join(repo.dir, "report.json");
    const r = await piped(["rollout", "--image", "8d1e4b7", "--out-report", report], "| head -1");
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toMatch(/^Plan for shop-api/);
    expect(r.stderr).not.toMatch(NO_STACK);
    waitedToTheEnd();
    const json = JSON.parse(readFileSync(report, "utf8")) as { ok: boolean; targets: Array<{ outcome: string }> };
    expect(json.ok).toBe(true);
    expect(json.targets.map((t) => t.outcome)).toEqual(["deployed"]);
  });

  it("rollout | head -n 14 (closed mid-run, after the service update) with stderr closed too: the same", async () => {
    const report = path.join(repo.dir, "report.json");
    const r = await piped(["rollout", "--image", "c0ffee1", "--out-report", report], "2>&- | head -n 14");
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(14);
    waitedToTheEnd();
    expect((JSON.parse(readFileSync(report, "utf8")) as { ok: boolean }).ok).toBe(true);
  });

  it("a failing rollout | head -1 still waits for the rollback, reports, and exits 1", async () => {
    const report = path.join(repo.dir, "report.json");
    const r = await piped(["rollout", "--image", "bad0001", "--out-report", report], "| head -1");
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stderr).not.toMatch(NO_STACK);
    const json = JSON.parse(readFileSync(report, "utf8")) as { ok: boolean; targets: Array<{ outcome: string; error?: { code: string } }> };
    expect(json.ok).toBe(false);
    expect(json.targets[0]!.error?.code).toBe("DEPLOYMENT_FAILED");
  });

  it.runIf(existsSync("/dev/full"))("stdout on a full disk (/dev/full): the rollout completes, the report is written, exit 0", async () => {
    const report = path.join(repo.dir, "report.json");
    const r = await piped(["rollout", "--image", "8d1e4b7", "--out-report", report], "> /dev/full");
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stderr).not.toMatch(NO_STACK);
    waitedToTheEnd();
    expect((JSON.parse(readFileSync(report, "utf8")) as { ok: boolean }).ok).toBe(true);
  });

  it.each([
    ["validate"],
    ["targets"],
    ["render", "--env", "dev", "--image", "8d1e4b7"],
    ["status"],
    ["plan", "--image", "8d1e4b7", "--all-stages"],
  ])("%s | head -1: its own exit code (0), no stack trace", async (...args) => {
    const r = await piped(args, "| head -1");
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("the read/check phase shows a line when not in a terminal", async () => {
    const r = await runCli(["plan", "--image", "8d1e4b7"], { cwd: repo.dir, sandbox: sb });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z plan: reading the configuration and AWS state for image 8d1e4b7…$/m);
  });
});

describe("output files are checked before the first AWS call", () => {
  it.each([
    ["rollout", "--image", "8d1e4b7", "--out-report", "/proc/deployer-report.json"],
    ["rollout", "--image", "8d1e4b7", "--out-report", "no/such/dir/report.json"],
    ["rollout", "--image", "8d1e4b7", "--out-report", "."],
    ["rollback", "--yes", "--env", "dev", "--out-report", "/proc/x.json"],
    ["promote", "--stage", "staging", "--yes", "--out-report", "/proc/x.json"],
    ["plan", "--image", "8d1e4b7", "--out-plan", "/proc/x.plan.json"],
    ["plan", "--image", "8d1e4b7", "--out-json", "/proc/x.json"],
    ["plan", "--image", "8d1e4b7", "--out-markdown", "no/such/dir/plan.md"],
    ["render", "--env", "dev", "--image", "8d1e4b7", "--out-json", "/proc/td.json"],
  ])("%s … %s %s: exit 1 with a clear error, nothing read or written", async (...args) => {
    const r = await runCli(args, { cwd: repo.dir, sandbox: sb });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const flag = args.find((a) => a.startsWith("--") && ["--out-report", "--out-plan", "--out-markdown", "--out-json"].includes(a))!;
    expect(r.stderr).toMatch(new RegExp(`^error INVALID_ARGUMENT ${flag} \\S+ cannot be written: `, "m"));
    expect(r.stderr).not.toMatch(/INTERNAL|This is a bug/);
    expect(sb.admin.log()).toEqual([]);
  });

  it("a run that stops early leaves no report file behind (the probe creates nothing)", async () => {
    const report = repo.file("report.json");
    const r = await runCli(["rollout", "--image", "8d1e4b7", "--stage", "nope", "--out-report", report], { cwd: repo.dir, sandbox: sb });
    expect(r.exitCode).toBe(1);
    expect(existsSync(report)).toBe(false);
  });
});

describe("confirmation", () => {
  it("promote without a terminal and without --yes: exit 1, 'needs --yes when not run in a terminal', no AWS call", async () => {
    for (const extra of [[], ["-o", "json"]]) {
      const r = await runCli([...extra, "promote", "--stage", "staging"], { cwd: repo.dir, sandbox: sb });
      expect(r.exitCode, describeRun(r)).toBe(1);
      expect(r.stdout + r.stderr).toContain("needs --yes when not run in a terminal");
    }
    expect(sb.admin.log()).toEqual([]);
  });
});
