// Issue 15: `deployer history` (what ran, by whom, how it ended) and the gates (a digest new to the
// stage before, requirePreviousStage, requireConfirmation, rollback --dry-run and its question),
// through the built CLI against the sandbox. One sandbox for the file; the tests run in order, each
// building on the state the one before left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const DEV = "222222222222";
const STAGING = "333333333333";
const GOOD = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f"; // 8d1e4b7

let sb: Sandbox;
let repo: TempRepo;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = exampleRepo();
});
afterAll(async () => {
  await sb?.stop();
  repo?.cleanup();
});

const run = (args: string[]): Promise<CliResult> =>
  runCli(args, { cwd: repo.dir, sandbox: sb, timeoutMs: 90_000, env: { DEPLOYER_POLL_INTERVAL_MS: "100" } });
const writes = (account: string) =>
  sb.admin.log({ account }).filter((e) => /^(RegisterTaskDefinition|UpdateService)$/.test(e.action)).length;

interface History {
  formatVersion: number;
  limit: number;
  targets: Array<{
    target: { name: string; file: string };
    ok: boolean;
    deployments: Array<{
      at?: string;
      outcome: string;
      status: string;
      taskDefinition?: { family: string; revision: number };
      image?: { tag?: string; digest?: string };
      by?: string;
      runId?: string;
      rolledBackTo?: string;
      reason?: string;
    }>;
  }>;
}

describe("deployer history", () => {
  it("lists each target's deployments newest first: when, revision, image tag and digest, who, outcome", async () => {
    expect((await run(["rollout", "--image", "8d1e4b7", "--stage", "dev"])).exitCode).toBe(0);
    const bad = await run(["rollout", "--image", "bad0001", "--stage", "dev"]);
    expect(bad.exitCode, describeRun(bad)).toBe(1);

    const r = await run(["-o", "json", "history", "--env", "dev"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    const h = JSON.parse(r.stdout) as History;
    expect(h).toMatchObject({ formatVersion: 1, limit: 10 });
    expect(h.targets.map((t) => t.target.name)).toEqual(["dev"]);
    const [failed, good, seeded] = h.targets[0]!.deployments;
    expect(failed).toMatchObject({
      outcome: "rolled-back",
      status: "ROLLBACK_SUCCESSFUL",
      taskDefinition: { family: "shop-api-dev", revision: 3 },
      image: { tag: "bad0001" },
      by: expect.stringMatching(/user\/ci/),
    });
    expect(failed!.rolledBackTo).toMatch(/task-definition\/shop-api-dev:2$/);
    expect(good).toMatchObject({
      outcome: "completed",
      status: "SUCCESSFUL",
      taskDefinition: { family: "shop-api-dev", revision: 2 },
      image: { tag: "8d1e4b7", digest: GOOD },
      by: expect.stringMatching(/user\/ci/),
      runId: expect.any(String),
    });
    expect(Date.parse(failed!.at!)).toBeGreaterThanOrEqual(Date.parse(good!.at!));
    // What ran before deployer: the fixture's revision 1, registered by hand (no deployer tags).
    if (seeded) expect(seeded.taskDefinition).toMatchObject({ family: "shop-api-dev", revision: 1 });

    const text = await run(["history", "--env", "dev"]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^ {2}WHEN\s+REVISION\s+IMAGE\s+BY\s+OUTCOME$/m);
    expect(text.stdout).toMatch(/shop-api-dev:3\s+bad0001 sha256:\w{12}\s+user\/ci\s+rolled back → shop-api-dev:2/);
    expect(text.stdout).toMatch(/shop-api-dev:2\s+8d1e4b7 sha256:e35bce68d8be\s+user\/ci\s+completed/);

    const md = await run(["-o", "markdown", "history", "--env", "dev", "-n", "1"]);
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain("| WHEN | REVISION | IMAGE | BY | OUTCOME |");
    expect(md.stdout.match(/^\| \d{4}-/gm)).toHaveLength(1);
    expect(md.stdout).toContain("↩️ rolled back → shop-api-dev:2");
  });

  it("-n must be a positive number; history of every stage by default", async () => {
    const bad = await run(["history", "-n", "0"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('-n "0" is not a positive integer');
    const all = JSON.parse((await run(["-o", "json", "history", "-n", "2"])).stdout) as History;
    expect(all.targets.map((t) => t.target.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    expect(all.targets.every((t) => t.ok && t.deployments.length <= 2)).toBe(true);
  });
});

describe("gates", () => {
  it("a digest that never ran healthy in the stage before: a warning in the plan, and without a terminal the rollout goes on", async () => {
    const plan = await run(["-o", "json", "plan", "--image", "c0ffee1", "--stage", "staging"]);
    expect(plan.exitCode, describeRun(plan)).toBe(0);
    const p = JSON.parse(plan.stdout) as {
      targets: Array<{ checks: Array<{ id: string; verdict: string; message: string; hint?: string }> }>;
    };
    const gate = p.targets[0]!.checks.find((c) => c.id === "previous-stage");
    expect(gate).toMatchObject({ verdict: "warn" });
    expect(gate!.message).toContain("has never run healthy in dev");
    expect(gate!.hint).toContain("deployer promote --stage staging");

    // 8d1e4b7 ran healthy in dev (its deployment SUCCESSFUL, though dev runs it again only after the rollback): pass.
    const ran = JSON.parse((await run(["-o", "json", "plan", "--image", "8d1e4b7", "--stage", "staging"])).stdout) as typeof p;
    expect(ran.targets[0]!.checks.find((c) => c.id === "previous-stage")).toMatchObject({ verdict: "pass" });

    // Planning dev and staging together: dev proves it first, no gate.
    const through = JSON.parse((await run(["-o", "json", "plan", "--image", "c0ffee1", "--through", "staging"])).stdout) as typeof p;
    expect(through.targets.flatMap((t) => t.checks).some((c) => c.id === "previous-stage")).toBe(false);

    // Without a terminal, a warning stays a warning: the rollout shows it and deploys.
    const rollout = await run(["rollout", "--image", "c0ffee1", "--env", "prod-us"]);
    expect(rollout.exitCode, describeRun(rollout)).toBe(0);
    expect(rollout.stdout).toContain("has never run healthy in staging");
    expect(rollout.stdout).toMatch(/deployed/);
  });

  it("requirePreviousStage: true refuses it before anything is written; requireConfirmation: true needs --yes without a terminal", async () => {
    repo.edit("deployer.yaml", "  - name: staging\n", "  - name: staging\n    requirePreviousStage: true\n    requireConfirmation: true\n");
    const before = writes(STAGING);
    const refused = await run(["rollout", "--image", "c0ffee1", "--stage", "staging", "--yes"]);
    expect(refused.exitCode, describeRun(refused)).toBe(1);
    expect(refused.stdout + refused.stderr).toContain("has never run healthy in dev");
    expect(refused.stdout + refused.stderr).toContain("requirePreviousStage: true");
    expect(writes(STAGING)).toBe(before);

    const unconfirmed = await run(["rollout", "--image", "8d1e4b7", "--stage", "staging"]);
    expect(unconfirmed.exitCode, describeRun(unconfirmed)).toBe(1);
    expect(unconfirmed.stderr).toContain("needs --yes when not run in a terminal");
    expect(unconfirmed.stderr).toContain("requireConfirmation: true");
    expect(writes(STAGING)).toBe(before);

    const confirmed = await run(["rollout", "--image", "8d1e4b7", "--stage", "staging", "--yes"]);
    expect(confirmed.exitCode, describeRun(confirmed)).toBe(0);
    expect(writes(STAGING)).toBeGreaterThan(before);
  });

  it("a stage setting is validated: requirePreviousStage on the first stage is a config error", async () => {
    repo.edit("deployer.yaml", "  - name: dev\n", "  - name: dev\n    requirePreviousStage: true\n");
    const r = await run(["validate"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/deployer\.yaml:\d+:\d+ stages\[0\]\.requirePreviousStage: the first stage has no stage before it/);
    repo.edit("deployer.yaml", "  - name: dev\n    requirePreviousStage: true\n", "  - name: dev\n");
  });

  it("rollback: without a terminal it needs --yes (nothing read); --dry-run shows the plan and writes nothing", async () => {
    const before = sb.admin.log().length;
    const noYes = await run(["rollback", "--env", "dev"]);
    expect(noYes.exitCode).toBe(1);
    expect(noYes.stderr).toContain("rollback needs --yes when not run in a terminal");
    expect(sb.admin.log().length).toBe(before);

    const w = writes(DEV);
    const dry = await run(["rollback", "--env", "dev", "--dry-run"]);
    expect(dry.exitCode, describeRun(dry)).toBe(0);
    expect(dry.stdout).toMatch(/put back shop-api-dev:1/);
    expect(dry.stdout).toContain("Dry run: nothing rolled back. To roll back: deployer rollback --env dev");
    expect(writes(DEV)).toBe(w);

    const json = await run(["-o", "json", "rollback", "--env", "dev", "--dry-run"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ formatVersion: 1, summary: { toChange: 1 } });
  });
});
