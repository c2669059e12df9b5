// Issue 17 through the built CLI against the sandbox: the repository's example of two services (api
// with a migrate task, worker after api) over the example fleet. Each test gets its own sandbox.
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, servicesRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const DEV = "222222222222";
const STAGING = "333333333333";
const PROD_EU = "444444444444";
const PROD_US = "555555555555";
const TAG_A = "8d1e4b7";
const DIGEST_A = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";
const TAG_B = "3f2a9c1";
const FAILING_TASKS = "fa11ed1"; // its one-off tasks exit 1 (sandbox/README.md)

let sb: Sandbox | undefined;
let repo: TempRepo | undefined;
afterEach(async () => {
  await sb?.stop();
  repo?.cleanup();
  sb = undefined;
  repo = undefined;
});

async function setup(make: () => TempRepo = servicesRepo): Promise<{ sb: Sandbox; repo: TempRepo }> {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = make();
  return { sb, repo };
}

const run = (args: string[]): Promise<CliResult> =>
  runCli(args, { cwd: repo!.dir, sandbox: sb, timeoutMs: 120_000, env: { DEPLOYER_POLL_INTERVAL_MS: "100" } });

/** The writes of an account, in order, as `ACTION service-or-family`. */
function writes(account: string): string[] {
  return sb!.admin
    .log({ account })
    .filter((e) => e.status === 200 && /^(RegisterTaskDefinition|UpdateService|RunTask|StopTask)$/.test(e.action))
    .map((e) => e.action);
}

interface Report {
  ok: boolean;
  images?: Record<string, { digest: string }>;
  targets: Array<{
    target: { name: string; env: string; serviceKey: string };
    outcome: string;
    taskDefinitionArn?: string;
    tasks?: Array<{ name: string; outcome: string; exitCode?: number; stopCode?: string; logStream?: string; skippedBecause?: string }>;
  }>;
  error?: { code: string; message: string };
}

const outcomes = (r: Report) => r.targets.map((t) => [t.target.name, t.outcome]);

describe("several services (issue 17)", () => {
  it("one run deploys both services to every target of a stage: the migration first, then api, then worker", async () => {
    await setup();
    const r = await run(["rollout", "--image", TAG_A, "--stage", "prod", "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(outcomes(report)).toEqual([
      ["prod-eu/api", "deployed"],
      ["prod-eu/worker", "deployed"],
      ["prod-us/api", "deployed"],
      ["prod-us/worker", "deployed"],
    ]);
    const api = report.targets.find((t) => t.target.name === "prod-eu/api")!;
    expect(api.tasks).toEqual([
      expect.objectContaining({ name: "migrate", outcome: "succeeded", exitCode: 0, stopCode: "EssentialContainerExited" }),
    ]);
    expect(api.tasks![0]!.logStream).toMatch(/^app\/app\/[0-9a-f]+$/);
    // In each environment: both definitions registered, the task run, then api updated before worker (dependsOn).
    for (const account of [PROD_EU, PROD_US]) {
      const w = writes(account);
      expect(w.filter((x) => x === "RegisterTaskDefinition")).toHaveLength(2);
      expect(w.indexOf("RunTask")).toBeGreaterThanOrEqual(0);
      expect(w.indexOf("RunTask")).toBeLessThan(w.indexOf("UpdateService"));
      const updates = sb!.admin.log({ account, action: "UpdateService" }).filter((e) => e.status === 200);
      expect(updates).toHaveLength(2);
    }
    // nothing outside the stage
    expect(writes(DEV)).toEqual([]);
    expect(writes(STAGING)).toEqual([]);
  });

  it("a failing migration stops its environment before any UpdateService and halts the stage", async () => {
    await setup();
    // Only prod-us's migration fails (the admin route: exit 1 for tasks in that account).
    sb!.admin.setTaskExit({ exitCode: 1, account: PROD_US, commandContains: "bin/migrate" });
    const r = await run(["rollout", "--image", TAG_A, "--through", "prod", "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    const byName = Object.fromEntries(report.targets.map((t) => [t.target.name, t]));
    expect(byName["prod-us/api"]!.outcome).toBe("failed");
    expect(byName["prod-us/api"]!.tasks).toEqual([expect.objectContaining({ name: "migrate", outcome: "failed", exitCode: 1 })]);
    expect(byName["prod-us/worker"]!.outcome).toBe("not-started");
    expect(report.error?.code).toBe("DEPLOYMENT_FAILED");
    // prod-us: the task ran, no service was updated.
    expect(writes(PROD_US)).toContain("RunTask");
    expect(writes(PROD_US)).not.toContain("UpdateService");
    // dev and staging went first and were deployed.
    expect(byName["dev/api"]!.outcome).toBe("deployed");
    expect(byName["staging/worker"]!.outcome).toBe("deployed");
  });

  it("the fa11ed1 image: its migration exits 1, the target fails without an update, later stages are not started", async () => {
    await setup();
    const r = await run(["rollout", "--image", FAILING_TASKS, "--through", "staging", "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(outcomes(report)).toEqual([
      ["dev/api", "failed"],
      ["dev/worker", "not-started"],
      ["staging/api", "not-started"],
      ["staging/worker", "not-started"],
    ]);
    expect(writes(DEV)).not.toContain("UpdateService");
    expect(writes(STAGING)).toEqual([]);
  });

  it("--service worker touches only the worker, and --skip-tasks plans no task", async () => {
    await setup();
    const r = await run(["rollout", "--image", TAG_A, "--service", "worker", "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(outcomes(JSON.parse(r.stdout) as Report)).toEqual([["dev/worker", "deployed"]]);
    const ecsWrites = sb!.admin.log({ account: DEV }).filter((e) => /^(RegisterTaskDefinition|UpdateService|RunTask)$/.test(e.action));
    expect(ecsWrites.map((e) => e.action)).toEqual(["RegisterTaskDefinition", "UpdateService"]);
    const updates = sb!.admin.log({ account: DEV, action: "UpdateService" });
    expect(updates).toHaveLength(1);

    const plan = await run(["plan", "--image", TAG_B, "--service", "api", "--skip-tasks", "-o", "json"]);
    expect(plan.exitCode, describeRun(plan)).toBe(0);
    const p = JSON.parse(plan.stdout) as {
      targets: Array<{ target: { name: string }; steps: Array<{ kind: string }>; skippedTasks?: Array<{ because: string }> }>;
    };
    expect(p.targets.map((t) => t.target.name)).toEqual(["dev/api"]);
    expect(p.targets[0]!.steps.map((s) => s.kind)).not.toContain("run-task");
    expect(p.targets[0]!.skippedTasks).toEqual([expect.objectContaining({ because: "--skip-tasks" })]);

    const unknown = await run(["plan", "--image", TAG_B, "--service", "wroker"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('unknown service "wroker" (--service)');
    expect(unknown.stderr).toContain('Did you mean "worker"');
  });

  it("per-service images: --image api=X --image worker=Y puts each digest in its service's definition", async () => {
    await setup();
    const r = await run(["plan", "--image", `api=${TAG_A}`, "--image", `worker=${TAG_B}`, "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      image: { digest: string };
      images: Record<string, { digest: string; tag?: string }>;
      targets: Array<{ target: { name: string }; desired: { containerDefinitions: Array<{ image: string }> } }>;
    };
    expect(plan.images.api).toMatchObject({ tag: TAG_A, digest: DIGEST_A });
    expect(plan.images.worker!.tag).toBe(TAG_B);
    expect(plan.images.worker!.digest).not.toBe(DIGEST_A);
    expect(plan.image.digest).toBe(DIGEST_A);
    const imageOf = (name: string) => plan.targets.find((t) => t.target.name === name)!.desired.containerDefinitions[0]!.image;
    expect(imageOf("dev/api")).toMatch(new RegExp(`@${DIGEST_A}$`));
    expect(imageOf("dev/worker")).toMatch(new RegExp(`@${plan.images.worker!.digest}$`));

    // A service without an image when several are needed: named.
    const missing = await run(["plan", "--image", `api=${TAG_A}`]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("no image for service worker");
  });

  it("a one-service deployer.yaml from before validates, plans and deploys unchanged", async () => {
    await setup(exampleRepo);
    const v = await run(["validate"]);
    expect(v.exitCode, describeRun(v)).toBe(0);
    const r = await run(["rollout", "--image", TAG_A, "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(outcomes(report)).toEqual([["dev", "deployed"]]);
    expect(report.targets[0]!.target).toMatchObject({ env: "dev", serviceKey: "shop-api" });
    expect(report.images).toBeUndefined();
    expect(writes(DEV)).toEqual(["RegisterTaskDefinition", "UpdateService"]);
  });
  it("a deleted subnet of api's network: check and rollout are NG on task-network before any write; worker (no task) is not checked for it", async () => {
    await setup();
    // dev's services run in subnet-022222222a1 and subnet-022222222b2 with sg-022222222c3 (sandbox/README.md).
    sb!.admin.deleteSubnet({ account: DEV, region: "eu-west-1", subnetId: "subnet-022222222b2" });
    sb!.admin.deleteSecurityGroup({ account: DEV, region: "eu-west-1", groupId: "sg-022222222c3" });
    type Node = { id: string; verdict: string; message: string; error?: { code: string } };
    const taskNetwork = (out: string, name: string) =>
      (JSON.parse(out) as { targets: Array<{ target: { name: string } | string; checks: Node[] }> }).targets
        .find((t) => (typeof t.target === "string" ? t.target : t.target.name) === name)!
        .checks.find((c) => c.id === "task-network");

    const check = await run(["check", "--image", TAG_A, "--env", "dev", "-o", "json"]);
    expect(check.exitCode, describeRun(check)).toBe(1);
    const api = taskNetwork(check.stdout, "dev/api");
    expect(api, describeRun(check)).toMatchObject({ verdict: "fail", error: { code: "NETWORK_NOT_FOUND" } });
    // EC2 fails the whole call for one missing id: the check names each missing one, not the ones that exist.
    expect(api!.message).toContain("subnet subnet-022222222b2");
    expect(api!.message).toContain("security group sg-022222222c3");
    expect(api!.message).not.toContain("subnet-022222222a1");
    expect(taskNetwork(check.stdout, "dev/worker")).toBeUndefined();
    // Read as dev's viewer role.
    const reads = sb!.admin.log({ account: DEV }).filter((e) => e.action === "DescribeSubnets");
    expect(reads.length).toBeGreaterThan(0);

    const rollout = await run(["rollout", "--image", TAG_A, "--env", "dev", "--service", "api", "-o", "json"]);
    expect(rollout.exitCode, describeRun(rollout)).not.toBe(0);
    expect(rollout.stdout + rollout.stderr).toContain("task-network");
    expect(writes(DEV)).toEqual([]);

    // --skip-tasks: no task runs, so the network of one is not checked.
    const skipped = await run(["plan", "--image", TAG_A, "--env", "dev", "--service", "api", "--skip-tasks", "-o", "json"]);
    expect(skipped.exitCode, describeRun(skipped)).toBe(0);
    expect(taskNetwork(skipped.stdout, "dev/api")).toBeUndefined();
  });
});
