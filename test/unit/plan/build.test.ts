import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { fingerprint } from "../../../src/plan/fingerprint.js";
import { TAG_VALUE_MAX } from "../../../src/ecs/tags.js";
import {
  DIGEST_A,
  DIGEST_B,
  PASSING_CHECKS,
  check,
  deployment,
  modelledDescription,
  desired,
  image,
  liveTaskDefinition,
  observed,
  planInput,
  service,
  makeTarget,
} from "../../helpers/factories.js";

const liveDev = () => modelledDescription("task-definition.shop-api-dev.json").taskDefinition;

describe("buildPlan", () => {
  it("is a noop when the live definition equals the desired one after normalisation", () => {
    const t = makeTarget();
    const plan = buildPlan(planInput([{ desired: desired(t), observed: observed(t, liveDev()) }]));
    const tp = plan.targets[0]!;
    expect(tp.action).toBe("noop");
    expect(tp.steps).toEqual([]);
    expect(tp.diff).toEqual([]);
    expect(tp.live?.fingerprint).toBe(tp.fingerprint);
    expect(tp.live).toMatchObject({
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7",
      revision: 7,
      imageDigest: DIGEST_A,
      rolloutState: "COMPLETED",
    });
    expect(plan.summary).toEqual({ targets: 1, toChange: 0, unchanged: 1, blocked: 0, failingChecks: 0, warnings: 0 });
  });

  it("registers a new definition with provenance tags when the image changes", () => {
    const t = makeTarget();
    const plan = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev()) }]));
    const tp = plan.targets[0]!;
    expect(tp.action).toBe("update");
    expect(tp.diff.map((d) => d.path)).toEqual(["containers[app].image"]);
    expect(tp.steps.map((s) => s.kind)).toEqual(["register-task-definition", "update-service", "wait-stable"]);
    expect(tp.steps[0]).toEqual({
      kind: "register-task-definition",
      tags: {
        "deployer:image-digest": DIGEST_B,
        "deployer:image-tag": "9c1e4b7",
        "deployer:previous-task-definition": "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7",
        "deployer:git-sha": "9c1e4b7d0a",
        "deployer:run-id": "7d2e91ab",
        "deployer:by": "alice@example.com",
        "deployer:fingerprint": tp.fingerprint,
      },
    });
    expect(tp.steps[1]).toEqual({ kind: "update-service", cluster: "shop-dev", service: "api" });
    expect(tp.steps[2]).toEqual({ kind: "wait-stable", timeoutSeconds: 900 });
    expect(tp.target).toEqual({
      name: "dev",
      env: "dev",
      serviceKey: "shop-api",
      stage: "dev",
      account: "222222222222",
      region: "eu-west-1",
      cluster: "shop-dev",
      service: "api",
      file: "environments/dev.yaml",
    });
    expect(plan.summary.toChange).toBe(1);
  });

  it("reuses the latest revision when an earlier run registered the desired definition, then died", () => {
    const t = makeTarget();
    const want = desired(t, image(DIGEST_B));
    const latest = liveTaskDefinition(
      {
        ...(want.taskDefinition as unknown as Record<string, unknown>),
        requiresAttributes: [{ name: "ecs.capability.task-eni" }],
        compatibilities: ["EC2", "FARGATE"],
      },
      "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:8",
    );
    const obs = observed(t, liveDev(), { latestRevision: latest });
    const tp = buildPlan(planInput([{ desired: want, observed: obs }])).targets[0]!;
    expect(tp.action).toBe("update");
    expect(tp.steps).toEqual([
      { kind: "reuse-task-definition", taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:8" },
      { kind: "update-service", cluster: "shop-dev", service: "api" },
      { kind: "wait-stable", timeoutSeconds: 900 },
    ]);
  });

  it("registers rather than reuses when the latest revision differs", () => {
    const t = makeTarget();
    const latest = liveTaskDefinition({ ...liveDev(), cpu: "1024" }, "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:8");
    const tp = buildPlan(
      planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { latestRevision: latest }) }]),
    ).targets[0]!;
    expect(tp.steps[0]!.kind).toBe("register-task-definition");
  });

  it("blocks a target with a failing check, and counts it", () => {
    const t = makeTarget();
    const checks = [...PASSING_CHECKS(), check("pass-role:executionRole", "fail", { hint: "allow iam:PassRole" })];
    const plan = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { checks }) }]));
    const tp = plan.targets[0]!;
    expect(tp.action).toBe("blocked");
    expect(tp.steps).toEqual([]);
    expect(tp.diff.map((d) => d.path)).toEqual(["containers[app].image"]);
    expect(plan.summary).toMatchObject({ blocked: 1, toChange: 0, failingChecks: 1 });
  });

  it("blocks on a failing sub-check", () => {
    const t = makeTarget();
    const checks = [check("iam", "warn", { children: [check("trust:taskRole", "fail")] })];
    const plan = buildPlan(planInput([{ desired: desired(t), observed: observed(t, liveDev(), { checks }) }]));
    expect(plan.targets[0]!.action).toBe("blocked");
    expect(plan.summary.failingChecks).toBe(1);
  });

  it("treats unverified as a warning, and as a failure under strict", () => {
    const t = makeTarget();
    const checks = [...PASSING_CHECKS(), check("pass-role:taskRole", "unverified")];
    const entry = () => ({ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { checks }) });
    const lax = buildPlan(planInput([entry()]));
    expect(lax.targets[0]!.action).toBe("update");
    expect(lax.summary).toMatchObject({ warnings: 1, failingChecks: 0 });
    const strict = buildPlan(planInput([entry()], { strict: true }));
    expect(strict.targets[0]!.action).toBe("blocked");
    expect(strict.summary).toMatchObject({ warnings: 0, failingChecks: 1, blocked: 1 });
  });

  it("blocks, with a check saying why, when the live state could not be read", () => {
    const t = makeTarget();
    const plan = buildPlan(planInput([{ desired: desired(t), observed: observed(t, undefined) }]));
    const tp = plan.targets[0]!;
    expect(tp.action).toBe("blocked");
    expect(tp.live).toBeUndefined();
    expect(tp.checks.at(-1)).toMatchObject({ id: "live-task-definition", verdict: "fail" });
  });

  it("waits for a foreign IN_PROGRESS deployment first with --wait-for-in-progress, fails without", () => {
    const t = makeTarget();
    const liveArn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
    const svc = service(t, liveArn, [
      deployment({ id: "ecs-svc/2", taskDefinition: liveArn, rolloutState: "IN_PROGRESS" }),
      deployment({
        id: "ecs-svc/1",
        status: "ACTIVE",
        taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:6",
      }),
    ]);
    const entry = () => ({ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { service: svc }) });

    const waiting = buildPlan(planInput([entry()], { waitForInProgress: true })).targets[0]!;
    expect(waiting.action).toBe("update");
    expect(waiting.steps.map((s) => s.kind)).toEqual([
      "wait-foreign-deployment",
      "register-task-definition",
      "update-service",
      "wait-stable",
    ]);

    const refusing = buildPlan(planInput([entry()])).targets[0]!;
    expect(refusing.action).toBe("blocked");
    const c = refusing.checks.find((x) => x.id === "foreign-deployment");
    expect(c).toMatchObject({ verdict: "fail", error: { code: "DEPLOYMENT_IN_PROGRESS", target: "dev", account: "222222222222" } });
  });

  it("does not add its own in-progress check when observe already reported one", () => {
    const t = makeTarget();
    const liveArn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
    const svc = service(t, liveArn, [deployment({ taskDefinition: liveArn, rolloutState: "IN_PROGRESS" })]);
    const checks = [...PASSING_CHECKS(), check("deployment", "fail", { error: { code: "DEPLOYMENT_IN_PROGRESS", message: "busy" } })];
    const tp = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { service: svc, checks }) }]))
      .targets[0]!;
    expect(tp.checks.filter((c) => c.error?.code === "DEPLOYMENT_IN_PROGRESS")).toHaveLength(1);
  });

  it("resumes waiting (not blocked, not 'unchanged') when an earlier run's deployment of the desired definition is still IN_PROGRESS", () => {
    const t = makeTarget();
    const liveArn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
    const prevArn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:6";
    const svc = service(t, liveArn, [
      deployment({ id: "ecs-svc/new", taskDefinition: liveArn, rolloutState: "IN_PROGRESS" }),
      deployment({ id: "ecs-svc/old", status: "ACTIVE", taskDefinition: prevArn, rolloutState: "COMPLETED" }),
    ]);
    const tp = buildPlan(planInput([{ desired: desired(t), observed: observed(t, liveDev(), { service: svc }) }])).targets[0]!;
    expect(tp.action).toBe("update");
    expect(tp.diff).toEqual([]);
    expect(tp.steps).toEqual([
      {
        kind: "resume-wait",
        deploymentId: "ecs-svc/new",
        taskDefinitionArn: liveArn,
        previousTaskDefinitionArn: prevArn,
        timeoutSeconds: 900,
      },
    ]);
    expect(tp.checks.some((c) => c.verdict === "fail")).toBe(false);
  });

  it("is a noop once that deployment has COMPLETED", () => {
    const t = makeTarget();
    const liveArn = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
    const svc = service(t, liveArn, [deployment({ taskDefinition: liveArn, rolloutState: "COMPLETED" })]);
    const tp = buildPlan(planInput([{ desired: desired(t), observed: observed(t, liveDev(), { service: svc }) }])).targets[0]!;
    expect(tp.action).toBe("noop");
  });

  it("adds promotion tags and keeps tag values within ECS limits", () => {
    const t = makeTarget({ name: "prod-eu", stage: "prod", account: "444444444444", cluster: "shop-prod-eu" });
    const src = "arn:aws:ecs:eu-west-1:333333333333:task-definition/shop-api-staging:12";
    const plan = buildPlan(
      planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev()) }], {
        by: `GitHub Actions (push) ${"x".repeat(400)}`,
        promotion: { fromStage: "staging", sourceTaskDefinitionArns: { "prod-eu": src }, sourceTargets: { "prod-eu": "staging" } },
      }),
    );
    const step = plan.targets[0]!.steps[0]!;
    if (step.kind !== "register-task-definition") throw new Error(`expected register, got ${step.kind}`);
    expect(step.tags).toMatchObject({
      "deployer:promoted-from": "staging",
      "deployer:source-stage": "staging",
      "deployer:source-task-definition": src,
    });
    expect(step.tags["deployer:by"]!.startsWith("GitHub Actions _push_ xx")).toBe(true);
    for (const v of Object.values(step.tags)) {
      expect(v.length).toBeLessThanOrEqual(TAG_VALUE_MAX);
      expect(v).toMatch(/^[\p{L}\p{N}\s+\-=._:/@]*$/u);
    }
    expect(plan.promotion?.fromStage).toBe("staging");
  });

  it("keeps only the stages its targets use, in configured order, and is pure", () => {
    const dev = makeTarget();
    const prod = makeTarget({ name: "prod-us", stage: "prod", account: "555555555555", region: "us-east-1", cluster: "shop-prod-us" });
    const input = planInput([
      { desired: desired(prod, image(DIGEST_B)), observed: observed(prod, liveDev()) },
      { desired: desired(dev, image(DIGEST_B)), observed: observed(dev, liveDev()) },
    ]);
    const snapshot = JSON.stringify(input);
    const a = buildPlan(input);
    const b = buildPlan(input);
    expect(a.stages).toEqual([{ name: "dev" }, { name: "prod", maxParallel: 2 }]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(a.createdAt).toBe("2025-03-19T10:00:00.000Z");
  });

  it("fingerprints the unredacted desired definition and lists sensitive pointers", () => {
    const t = makeTarget();
    const d = desired(t, image(DIGEST_B));
    const tp = buildPlan(planInput([{ desired: d, observed: observed(t, liveDev()) }])).targets[0]!;
    expect(tp.fingerprint).toBe(fingerprint(d.taskDefinition as unknown as Record<string, unknown>));
    expect(tp.sensitivePaths).toEqual(["/containerDefinitions/0/environment/3/value"]);
  });
});

describe("buildPlan over the one deployment-state model (issue 11)", () => {
  const LIVE = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
  const PREV = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:6";
  /** The service's PRIMARY (:7, the desired definition when `desired` is the default) FAILED without ECS rollback; :6 still runs. */
  const failedService = (t: ReturnType<typeof makeTarget>) =>
    service(t, LIVE, [
      deployment({
        id: "ecs-svc/bad",
        taskDefinition: LIVE,
        rolloutState: "FAILED",
        rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        runningCount: 0,
      }),
      deployment({ id: "ecs-svc/old", status: "ACTIVE", taskDefinition: PREV, rolloutState: "COMPLETED" }),
    ]);

  it("a FAILED PRIMARY of exactly the desired definition is never 'unchanged': refused, naming --force", () => {
    const t = makeTarget();
    const tp = buildPlan(planInput([{ desired: desired(t), observed: observed(t, liveDev(), { service: failedService(t) }) }])).targets[0]!;
    expect(tp.action).toBe("blocked");
    const c = tp.checks.find((x) => x.id === "failed-deployment")!;
    expect(c).toMatchObject({ verdict: "fail", error: { code: "DEPLOYMENT_FAILED" } });
    expect(c.hint).toContain("--force");
  });

  it("with --force it is deployed again (same revision, a new deployment), rolling back to the revision that completed beside it", () => {
    const t = makeTarget();
    const tp = buildPlan(
      planInput([{ desired: desired(t), observed: observed(t, liveDev(), { service: failedService(t) }) }], { force: true }),
    ).targets[0]!;
    expect(tp.action).toBe("update");
    expect(tp.steps).toEqual([
      { kind: "reuse-task-definition", taskDefinitionArn: LIVE },
      { kind: "update-service", cluster: "shop-dev", service: "api", forceNewDeployment: true },
      { kind: "wait-stable", timeoutSeconds: 900 },
    ]);
    expect(tp.rollbackTo).toMatchObject({ taskDefinitionArn: PREV, source: "steady-state" });
  });

  it("another definition is deployed over a FAILED PRIMARY, and its provenance tag names the known-good revision, never the failed one", () => {
    const t = makeTarget();
    const tp = buildPlan(
      planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { service: failedService(t) }) }]),
    ).targets[0]!;
    expect(tp.action).toBe("update");
    const register = tp.steps[0]!;
    expect(register.kind === "register-task-definition" && register.tags["deployer:previous-task-definition"]).toBe(PREV);
    expect(tp.rollbackTo?.taskDefinitionArn).toBe(PREV);
  });

  it("with nothing known to have run healthy, the plan warns that a failure will not be rolled back", () => {
    const t = makeTarget();
    const svc = service(t, LIVE, [deployment({ id: "ecs-svc/bad", taskDefinition: LIVE, rolloutState: "FAILED", runningCount: 0 })]);
    const tp = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { service: svc }) }]))
      .targets[0]!;
    expect(tp.rollbackTo).toBeUndefined();
    expect(tp.checks.find((c) => c.id === "rollback-target")).toMatchObject({
      verdict: "warn",
      message: expect.stringContaining("a failure will not be rolled back"),
    });
  });

  it("an INACTIVE rollback target is a warning, and a failure under --strict", () => {
    const t = makeTarget();
    const inactive = {
      taskDefinitionArn: LIVE,
      source: "steady-state" as const,
      evidence: "the service runs it, settled",
      status: "INACTIVE",
    };
    const lax = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { rollbackTo: inactive }) }]))
      .targets[0]!;
    expect(lax.action).toBe("update");
    expect(lax.checks.find((c) => c.id === "rollback-target")).toMatchObject({
      verdict: "warn",
      message: expect.stringContaining("INACTIVE (deregistered)"),
    });
    const strict = buildPlan(
      planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev(), { rollbackTo: inactive }) }], { strict: true }),
    ).targets[0]!;
    expect(strict.action).toBe("blocked");
  });

  it("records the PRIMARY deployment and the strategy, so the service can be read again before UpdateService", () => {
    const t = makeTarget();
    const tp = buildPlan(planInput([{ desired: desired(t, image(DIGEST_B)), observed: observed(t, liveDev()) }])).targets[0]!;
    expect(tp.live).toMatchObject({ primaryDeploymentId: "ecs-svc/1234567890123456789", state: "stable" });
    expect(tp.steps.find((s) => s.kind === "update-service")).toEqual({ kind: "update-service", cluster: "shop-dev", service: "api" });
  });
});
