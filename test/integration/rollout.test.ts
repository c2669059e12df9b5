// Issue 4 against the local sandbox: the real SDK clients over HTTP, the same functions the CLI runs.
import { afterEach, describe, expect, it } from "vitest";
import { ECSClient, DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { startPipeline, demoFixture, type Pipeline } from "../helpers/pipeline.js";
import { walkChecks } from "../../src/plan/build.js";
import { DeployerError } from "../../src/errors.js";
import type { Plan } from "../../src/plan/types.js";

const DEV = "222222222222";
const STAGING = "333333333333";
const BROKEN = "666666666666";
const NEW_TAG = "8d1e4b7";
const NEW_DIGEST = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

function failing(plan: Plan, target: string): Array<{ id: string; code?: string }> {
  const t = plan.targets.find((x) => x.target.name === target)!;
  return walkChecks(t.checks)
    .filter((c) => c.verdict === "fail")
    .map((c) => ({ id: c.id, code: c.error?.code }));
}

/** What a target's service runs, read with the target's own deploy role. */
async function live(p: Pipeline, account: string, cluster: string, region = "eu-west-1") {
  const sts = new STSClient({ region, endpoint: p.sandbox.endpoint, credentials: p.sandbox.credentials });
  const name = cluster.replace(/^shop-/, "");
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/deployer`,
      RoleSessionName: "test",
      ExternalId: `shop-deployer-${name}`,
    }),
  );
  const c = assumed.Credentials!;
  const ecs = new ECSClient({
    region,
    endpoint: p.sandbox.endpoint,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  });
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition!, include: ["TAGS"] }));
  return { service: svc, taskDefinition: td.taskDefinition!, tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key!, t.value!])) };
}

describe("rollout against the sandbox", () => {
  it("rolls the dev target: registers with provenance tags, updates the service, waits until stable", async () => {
    p = await startPipeline();
    const { report, plan } = await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect(plan.summary).toMatchObject({ targets: 1, toChange: 1, blocked: 0 });
    expect(report.ok).toBe(true);
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([["dev", "deployed"]]);
    expect(p.writes(DEV)).toEqual([`${DEV}:RegisterTaskDefinition`, `${DEV}:UpdateService`]);

    const now = await live(p, DEV, "shop-dev");
    expect(now.service.taskDefinition).toBe(report.targets[0]!.taskDefinitionArn);
    expect(now.service.deployments).toHaveLength(1);
    expect(now.taskDefinition.containerDefinitions![0]!.image).toBe(`111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${NEW_DIGEST}`);
    expect(now.tags).toMatchObject({ "deployer:image-digest": NEW_DIGEST, "deployer:image-tag": NEW_TAG, "deployer:run-id": plan.runId });
    expect(now.tags["deployer:by"]).toContain("arn:aws:iam::111111111111:user/ci");

    // A re-run of the same image is a no-op: nothing registered, nothing updated.
    p.sandbox.admin.clearLog();
    const again = await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect(again.plan.targets[0]!.action).toBe("noop");
    expect(again.report.targets[0]!.outcome).toBe("unchanged");
    expect(p.writes()).toEqual([]);
  });

  it("rolls prod-eu (from its replica) and prod-us (another region) in parallel", async () => {
    p = await startPipeline();
    const { report, events } = await p.rollout({ stages: ["prod"] }, NEW_TAG);
    expect(report.ok).toBe(true);
    expect(report.targets.map((t) => t.outcome)).toEqual(["deployed", "deployed"]);
    // Both started before either finished.
    const firstDone = events.findIndex((e) => e.type === "target-done");
    const started = events
      .slice(0, firstDone)
      .filter((e) => e.type === "target-start")
      .map((e) => (e as { target: string }).target);
    expect(started.sort()).toEqual(["prod-eu", "prod-us"]);
    const eu = await live(p, "444444444444", "shop-prod-eu");
    expect(eu.taskDefinition.containerDefinitions![0]!.image).toBe(`444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${NEW_DIGEST}`);
    const us = await live(p, "555555555555", "shop-prod-us", "us-east-1");
    expect(us.service.runningCount).toBe(2);
  });

  it("fails the broken target in preflight with the PassRole and trust findings; nothing registered in its account", async () => {
    p = await startPipeline();
    const config = p.brokenConfig();
    const { plan, observed, run } = await p.plan(undefined, NEW_TAG, {}, config);
    await run.sessions.close();
    expect(observed).toHaveLength(1);
    expect(plan.targets[0]!.action).toBe("blocked");
    const codes = failing(plan, "broken");
    expect(codes).toEqual(
      expect.arrayContaining([
        { id: "pass-role:taskRole", code: "PASSROLE_DENIED" },
        { id: "pass-role:executionRole", code: "PASSROLE_DENIED" },
        { id: "trust:taskRole", code: "ROLE_NOT_TRUSTED" },
        { id: "image-pull", code: "IMAGE_NOT_PULLABLE" },
      ]),
    );
    const { applyPlan } = await import("../../src/apply/apply.js");
    const report = await applyPlan(plan, { sessions: new Map() });
    expect(report.ok).toBe(false);
    expect(report.targets[0]!.outcome).toBe("not-started");
    expect(p.sandbox.admin.log({ account: BROKEN, action: "RegisterTaskDefinition" })).toEqual([]);
    expect(p.writes(BROKEN)).toEqual([]);
  });

  it("a bad image fails in dev, ECS rolls it back, and later stages are untouched", async () => {
    p = await startPipeline();
    const { report } = await p.rollout({ through: "staging" }, "bad0001");
    expect(report.ok).toBe(false);
    const dev = report.targets.find((t) => t.target.name === "dev")!;
    expect(dev.outcome).toBe("failed");
    expect(dev.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(dev.rollback).toMatchObject({ by: "ecs", ok: true });
    expect(report.targets.find((t) => t.target.name === "staging")!.outcome).toBe("not-started");
    expect(p.writes(STAGING)).toEqual([]);
    const now = await live(p, DEV, "shop-dev");
    expect(now.service.taskDefinition).toMatch(/shop-api-dev:1$/);
  });

  it("without a circuit breaker a stuck deployment times out and deployer rolls the service back", async () => {
    const fixture = demoFixture();
    const dev = (fixture.targets ?? []).find((t) => t.name === "dev")!;
    (dev as { circuitBreaker?: boolean }).circuitBreaker = false;
    p = await startPipeline({ fixture });
    const { report } = await p.rollout({ stages: ["dev"] }, "bad0001", { timeoutSeconds: 2 });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error?.code).toBe("TIMEOUT");
    expect(t.rollback).toMatchObject({ by: "deployer", ok: true });
    expect(t.rollback?.toTaskDefinitionArn).toMatch(/shop-api-dev:1$/);
    expect((await live(p, DEV, "shop-dev")).service.taskDefinition).toMatch(/shop-api-dev:1$/);
  });

  it("a wrong ExternalId fails assume-role, names the role and the id sent, and nothing is written anywhere", async () => {
    p = await startPipeline();
    p.repo.edit("environments/dev.yaml", "externalId: shop-deployer-dev", "externalId: shop-deployer-typo");
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    const check = plan.targets[0]!.checks.find((c) => c.id === "assume-role")!;
    expect(check.verdict).toBe("fail");
    expect(check.error?.code).toBe("ASSUME_ROLE_DENIED");
    expect(check.message + (check.hint ?? "")).toContain("shop-deployer-typo");
    expect(check.message + (check.hint ?? "")).toContain("arn:aws:iam::222222222222:role/deployer");
    expect(p.writes()).toEqual([]);
  });

  it("an unknown image tag stops the run before any target is touched, naming repository and tag", async () => {
    p = await startPipeline();
    const err = await p.plan({ stages: ["dev"] }, "nope123").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe("IMAGE_NOT_FOUND");
    expect((err as DeployerError).message).toContain("nope123");
    expect((err as DeployerError).message).toContain("shop/api");
    expect(p.sandbox.admin.log({ account: DEV })).toEqual([]);
  });

  it("an image not pullable from the target fails image-pull (prod-eu without its replica is not granted)", async () => {
    p = await startPipeline();
    p.repo.edit("environments/prod-eu.yaml", /imageRepository: .*\n/, "");
    const { plan, run } = await p.plan({ envs: ["prod-eu"], stages: ["prod"] }, NEW_TAG);
    await run.sessions.close();
    // The image-pull group fails through its repository-policy check (the central policy does not grant 444444444444).
    expect(failing(plan, "prod-eu")).toEqual([
      { id: "image-pull", code: "IMAGE_NOT_PULLABLE" },
      { id: "image-pull:repository-policy", code: "IMAGE_NOT_PULLABLE" },
    ]);
  });

  it("a missing service fails the service check", async () => {
    p = await startPipeline();
    p.repo.edit("environments/dev.yaml", "service: api", "service: api-typo");
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    expect(failing(plan, "dev").map((f) => f.code)).toContain("SERVICE_NOT_FOUND");
  });

  it("a deployment someone else started blocks the run, unless --wait-for-in-progress", async () => {
    p = await startPipeline();
    p.sandbox.admin.startForeignDeployment({ account: DEV, region: "eu-west-1", cluster: "shop-dev", service: "api" });
    const blocked = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await blocked.run.sessions.close();
    expect(blocked.plan.targets[0]!.action).toBe("blocked");
    expect(failing(blocked.plan, "dev").map((f) => f.code)).toContain("DEPLOYMENT_IN_PROGRESS");

    setTimeout(() => p!.sandbox.admin.completeDeployment({ account: DEV, region: "eu-west-1", cluster: "shop-dev", service: "api" }), 500);
    const { report, plan } = await p.rollout({ stages: ["dev"] }, NEW_TAG, { waitForInProgress: true });
    expect(plan.targets[0]!.steps[0]!.kind).toBe("wait-foreign-deployment");
    expect(report.ok).toBe(true);
    expect(report.targets[0]!.outcome).toBe("deployed");
  });

  it("retries through throttling and still registers each target exactly once", async () => {
    p = await startPipeline();
    p.sandbox.admin.setFaults({ throttleRate: 0.3, seed: 7 });
    const { report } = await p.rollout({ through: "prod" }, NEW_TAG);
    p.sandbox.admin.setFaults({});
    expect(report.ok).toBe(true);
    expect(p.sandbox.admin.log().some((e) => e.fault === "throttle")).toBe(true);
    for (const account of [DEV, STAGING, "444444444444", "555555555555"]) {
      expect(p.sandbox.admin.log({ account, action: "RegisterTaskDefinition" }).filter((e) => e.status === 200)).toHaveLength(1);
    }
  });

  it("a re-run after a run died between register and update reuses the registered revision", async () => {
    p = await startPipeline();
    // What a killed run leaves behind: the new revision registered, the service not yet updated.
    const first = await p.plan({ stages: ["dev"] }, NEW_TAG);
    const session = first.observed[0]!.session!;
    const t = first.plan.targets[0]!;
    const step = t.steps.find((s) => s.kind === "register-task-definition");
    expect(step).toBeDefined();
    await session.ecs.registerTaskDefinition(t.desired, step!.kind === "register-task-definition" ? step!.tags : {});
    await first.run.sessions.close();

    const { plan, report } = await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect(plan.targets[0]!.steps.map((s) => s.kind)).toEqual(["reuse-task-definition", "update-service", "wait-stable"]);
    expect(report.targets[0]!).toMatchObject({ outcome: "deployed", reusedTaskDefinition: true });
    expect(p.sandbox.admin.log({ account: DEV, action: "RegisterTaskDefinition" })).toHaveLength(1);
  });

  it("rollback puts the previous revision back without registering anything", async () => {
    p = await startPipeline();
    await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect((await live(p, DEV, "shop-dev")).service.taskDefinition).toMatch(/shop-api-dev:2$/);
    p.sandbox.admin.clearLog();

    const { planRollback } = await import("../../src/workflow/rollback-plan.js");
    const { applyPlan } = await import("../../src/apply/apply.js");
    const { sessionsOf } = await import("../../src/workflow/make-plan.js");
    const run = await p.prepare({ envs: ["dev"] });
    try {
      const { plan, observed } = await planRollback({
        run,
        options: { strict: false, timeoutSeconds: 30, waitForInProgress: false, by: run.by },
      });
      expect(plan.targets[0]!.steps.map((s) => s.kind)).toEqual(["reuse-task-definition", "update-service", "wait-stable"]);
      const report = await applyPlan(plan, {
        sessions: sessionsOf(observed),
        poll: { initialMs: 50, maxMs: 200, factor: 1.5 },
        command: "rollback",
      });
      expect(report.ok).toBe(true);
    } finally {
      await run.sessions.close();
    }
    expect((await live(p, DEV, "shop-dev")).service.taskDefinition).toMatch(/shop-api-dev:1$/);
    expect(p.sandbox.admin.log({ action: "RegisterTaskDefinition" })).toEqual([]);
  });
});
